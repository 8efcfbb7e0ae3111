# The grade history belongs to the customer card: the model leaves sales' state, its table
# stays (customers 0005 takes it over under the same name).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_reactivation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GradeChange")],
            database_operations=[],
        ),
    ]
