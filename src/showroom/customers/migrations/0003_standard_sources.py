from django.db import migrations

from showroom.customers.choices import STANDARD_SOURCES


def add_sources(apps, schema_editor):
    Source = apps.get_model("customers", "Source")
    for code, zh, en in STANDARD_SOURCES:
        Source.objects.update_or_create(store=None, code=code, defaults={"name_zh": zh, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]
    operations = [migrations.RunPython(add_sources, migrations.RunPython.noop)]
