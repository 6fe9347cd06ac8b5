import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("structures", "0003_historicalstructure")]

    operations = [
        migrations.CreateModel(
            name="Commune",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=5, unique=True, verbose_name="code INSEE")),
                ("nom", models.CharField(max_length=100, verbose_name="nom")),
                (
                    "nom_cle",
                    models.CharField(
                        db_index=True, editable=False, max_length=100, verbose_name="clé de rapprochement"
                    ),
                ),
                (
                    "departement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="communes",
                        to="structures.departement",
                        verbose_name="département",
                    ),
                ),
            ],
            options={"verbose_name": "commune", "ordering": ["nom", "code"]},
        ),
        migrations.CreateModel(
            name="CodePostal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(db_index=True, max_length=5, verbose_name="code postal")),
                (
                    "commune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes_postaux",
                        to="structures.commune",
                    ),
                ),
            ],
            options={
                "verbose_name": "code postal",
                "verbose_name_plural": "codes postaux",
                "ordering": ["code"],
                "constraints": [
                    models.UniqueConstraint(fields=("commune", "code"), name="code_postal_unique_per_commune")
                ],
            },
        ),
    ]
