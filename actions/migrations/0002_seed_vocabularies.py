from django.db import migrations

from actions.vocabularies import seed_vocabularies


def seed(apps, schema_editor):
    seed_vocabularies(lambda model_name: apps.get_model("actions", model_name))


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
