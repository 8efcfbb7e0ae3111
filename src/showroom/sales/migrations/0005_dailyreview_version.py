from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyreview",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
