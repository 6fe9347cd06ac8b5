from django.db import migrations

from structures.referentiels import load_communes


def load(apps, schema_editor):
    load_communes(
        apps.get_model("structures", "Commune"),
        apps.get_model("structures", "CodePostal"),
        apps.get_model("structures", "Departement"),
    )


class Migration(migrations.Migration):
    dependencies = [("structures", "0004_communes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
