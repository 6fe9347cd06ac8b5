from django.db import migrations

from structures.referentiels import load_regions_and_departements


def load(apps, schema_editor):
    load_regions_and_departements(apps.get_model("structures", "Region"), apps.get_model("structures", "Departement"))


class Migration(migrations.Migration):
    dependencies = [("structures", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
