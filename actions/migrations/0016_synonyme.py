"""The thesaurus (actions/thesaurus.py): the Synonyme table, watched by the catalogue version, and its first list."""

from django.db import migrations, models

# The first list, from the fiches and the vocabularies; national staff edit it afterwards in the administration.
INITIAL = [
    [
        "aide aux devoirs",
        "accompagnement à la scolarité",
        "accompagnement scolaire",
        "CLAS",
        "soutien scolaire",
        "aide scolaire",
    ],
    ["numérique", "informatique", "ordinateur", "internet", "inclusion numérique", "fracture numérique"],
    ["seniors", "personnes âgées", "aînés", "retraités", "vieillissement"],
    ["parentalité", "parents", "familles", "soutien à la parentalité", "REAAP", "lien parents-enfants"],
    ["jeunes", "jeunesse", "adolescents", "ados"],
    ["enfants", "enfance", "petite enfance"],
    ["jardin partagé", "jardin collectif", "potager", "jardinage"],
    ["alimentation", "nutrition", "cuisine", "repas partagé"],
    ["épicerie solidaire", "épicerie sociale", "aide alimentaire", "colis alimentaire"],
    [
        "français langue étrangère",
        "FLE",
        "alphabétisation",
        "ateliers sociolinguistiques",
        "ASL",
        "apprentissage du français",
    ],
    ["mobilité", "transport", "covoiturage", "permis de conduire", "auto-école sociale"],
    ["emploi", "insertion professionnelle", "recherche d’emploi"],
    ["santé", "prévention santé", "bien-être"],
    ["handicap", "personnes handicapées", "situation de handicap"],
    ["vacances", "séjours", "départs en vacances"],
    ["habitants", "participation des habitants", "pouvoir d’agir"],
    ["accès aux droits", "démarches administratives", "écrivain public"],
    ["culture", "culturel", "sorties culturelles"],
    ["isolement", "lien social", "solitude"],
]


def load_initial(apps, schema_editor):
    Synonyme = apps.get_model("actions", "Synonyme")
    Synonyme.objects.bulk_create([Synonyme(expressions="\n".join(group)) for group in INITIAL])


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0015_revision"),
    ]

    operations = [
        migrations.CreateModel(
            name="Synonyme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "expressions",
                    models.TextField(
                        help_text="Une expression par ligne, p. ex. « aide aux devoirs », « accompagnement à la "
                        "scolarité », « CLAS ». Casse et accents sont ignorés.",
                        verbose_name="expressions équivalentes",
                    ),
                ),
                ("actif", models.BooleanField(default=True, verbose_name="actif")),
            ],
            options={
                "verbose_name": "synonymes",
                "verbose_name_plural": "thésaurus (synonymes)",
                "ordering": ["pk"],
            },
        ),
        migrations.RunSQL(
            "SELECT catalogue_version_watch('actions_synonyme', NULL, '{}');",
            "SELECT catalogue_version_unwatch('actions_synonyme');",
        ),
        migrations.RunPython(load_initial, migrations.RunPython.noop),
    ]
