# ExportRecord now belongs to the organization (same table): only the state moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0001_initial'),
        ('organization', '0002_exportrecord'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='ExportRecord')],
        ),
    ]
