import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

import structures.fields
import structures.validators
from structures.referentiels import match_commune

# Where a structure is present: its département, and those of the communes it serves when it is itinerant.
# UNION, not UNION ALL: one row per (structure, département).
CREATE_PRESENCE_VIEW = """
CREATE VIEW structures_presence AS
SELECT CAST(structure.id AS VARCHAR(20)) || '-' || CAST(structure.departement_id AS VARCHAR(20)) AS id,
       structure.id AS structure_id,
       structure.departement_id AS departement_id
FROM structures_structure structure
UNION
SELECT CAST(structure.id AS VARCHAR(20)) || '-' || CAST(commune.departement_id AS VARCHAR(20)),
       structure.id,
       commune.departement_id
FROM structures_structure structure
JOIN structures_structure_communes_desservies served ON served.structure_id = structure.id
JOIN structures_commune commune ON commune.id = served.commune_id
WHERE structure.itinerante
"""


# actions/migrations/0003_search builds the PostgreSQL search document from the structure's name and commune:
# the commune is now a row of the référentiel, read through commune_id. Same function otherwise. Bodies are not
# checked at creation, so that each direction can be created before its columns are renamed.
SEARCH_REFRESH_SQL = r"""
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION actions_search_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO actions_search (action_id, document)
    SELECT a.id,
        setweight(to_tsvector('french_unaccent', coalesce(a.titre, '')), 'A')
        || setweight(to_tsvector('french_unaccent', concat_ws(' ', a.resume, kw.words)), 'B')
        || setweight(to_tsvector('french_unaccent', concat_ws(' ',
            a.description_experience, a.description_generale, a.precision_initiative, a.raisons_fin,
            a.ressources_financieres, a.nombre_personnes, a.resultat_territoire, a.resultat_centre,
            a.resultat_habitants, a.limites, a.perspectives, s.nom, {commune})), 'C')
    FROM actions_action a
    JOIN structures_structure s ON s.id = a.structure_id
    {join}
    LEFT JOIN LATERAL (
        SELECT string_agg(m.libelle, ' ') AS words
        FROM actions_action_mots_cles am JOIN actions_motcle m ON m.id = am.motcle_id
        WHERE am.action_id = a.id
    ) kw ON true
    WHERE a.id = ANY(ids)
    ON CONFLICT (action_id) DO UPDATE SET document = EXCLUDED.document;
$$;
"""


def search_refresh_with_commune_link(apps, schema_editor):
    join = "LEFT JOIN structures_commune c ON c.id = s.commune_id"
    schema_editor.execute(SEARCH_REFRESH_SQL.replace("{commune}", "c.nom").replace("{join}", join))


def search_refresh_with_commune_text(apps, schema_editor):
    schema_editor.execute(SEARCH_REFRESH_SQL.replace("{commune}", "s.commune").replace("{join}", ""))


def link_communes(apps, schema_editor):
    """The free-text commune becomes a link to the référentiel when its name is found in the département;
    otherwise the text is kept in the address, for the staff to choose the commune."""
    Commune = apps.get_model("structures", "Commune")
    for model_name in ("Structure", "HistoricalStructure"):
        for row in apps.get_model("structures", model_name).objects.exclude(ancienne_commune=""):
            row.commune = match_commune(Commune, row.ancienne_commune, row.departement_id, row.code_postal)
            if row.commune is None and not row.adresse:
                row.adresse = row.ancienne_commune
            row.save(update_fields=["commune", "adresse"])


class Migration(migrations.Migration):
    dependencies = [("structures", "0005_load_communes"), ("actions", "0003_search")]

    operations = [
        migrations.AddField(
            model_name="historicalstructure",
            name="adresse",
            field=models.CharField(
                blank=True,
                help_text="Numéro et voie, lieu-dit ; sans la commune.",
                max_length=255,
                verbose_name="adresse",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="date_premier_agrement",
            field=models.DateField(
                blank=True,
                help_text="Pour un centre social ou un EVS.",
                null=True,
                verbose_name="date du premier agrément CAF",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="itinerante",
            field=models.BooleanField(
                default=False,
                help_text="Elle va à la rencontre des habitants (bus, camping-car, triporteur…) : indiquez les communes desservies.",
                verbose_name="itinérante",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="membre_federation",
            field=models.BooleanField(
                blank=True,
                help_text="Laisser « Inconnu » si vous ne savez pas.",
                null=True,
                verbose_name="adhérente à la fédération",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="mode_gestion",
            field=models.CharField(
                blank=True,
                choices=[
                    ("associatif", "Associatif"),
                    ("collectivite", "Collectivité locale"),
                    ("caf", "CAF en gestion directe"),
                    ("autre", "Autre"),
                ],
                max_length=20,
                verbose_name="mode de gestion",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="multi_sites",
            field=models.BooleanField(
                default=False, help_text="Elle accueille en plusieurs lieux.", verbose_name="multi-sites"
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Nombre d’habitants de la zone d’influence de la structure.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(20000000)],
                verbose_name="population du territoire",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="qpv",
            field=models.BooleanField(
                blank=True,
                help_text="Quartier prioritaire de la politique de la ville.",
                null=True,
                verbose_name="située en quartier prioritaire (QPV)",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="siret",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="14 chiffres, espaces permis (p. ex. 123 456 789 00012).",
                max_length=14,
                normalize=structures.validators.normalize_siret,
                validators=[structures.validators.validate_siret],
                verbose_name="SIRET",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="telephone",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="Le numéro de l’accueil, p. ex. 02 41 00 00 00 (pas celui d’une personne).",
                max_length=14,
                normalize=structures.validators.normalize_phone,
                validators=[structures.validators.validate_phone],
                verbose_name="téléphone",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="type_territoire",
            field=models.CharField(
                blank=True,
                choices=[("urbain", "Urbain"), ("rural", "Rural")],
                max_length=10,
                verbose_name="type de territoire",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="adresse",
            field=models.CharField(
                blank=True,
                help_text="Numéro et voie, lieu-dit ; sans la commune.",
                max_length=255,
                verbose_name="adresse",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="date_premier_agrement",
            field=models.DateField(
                blank=True,
                help_text="Pour un centre social ou un EVS.",
                null=True,
                verbose_name="date du premier agrément CAF",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="itinerante",
            field=models.BooleanField(
                default=False,
                help_text="Elle va à la rencontre des habitants (bus, camping-car, triporteur…) : indiquez les communes desservies.",
                verbose_name="itinérante",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="membre_federation",
            field=models.BooleanField(
                blank=True,
                help_text="Laisser « Inconnu » si vous ne savez pas.",
                null=True,
                verbose_name="adhérente à la fédération",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="mode_gestion",
            field=models.CharField(
                blank=True,
                choices=[
                    ("associatif", "Associatif"),
                    ("collectivite", "Collectivité locale"),
                    ("caf", "CAF en gestion directe"),
                    ("autre", "Autre"),
                ],
                max_length=20,
                verbose_name="mode de gestion",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="multi_sites",
            field=models.BooleanField(
                default=False, help_text="Elle accueille en plusieurs lieux.", verbose_name="multi-sites"
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Nombre d’habitants de la zone d’influence de la structure.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(20000000)],
                verbose_name="population du territoire",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="qpv",
            field=models.BooleanField(
                blank=True,
                help_text="Quartier prioritaire de la politique de la ville.",
                null=True,
                verbose_name="située en quartier prioritaire (QPV)",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="siret",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="14 chiffres, espaces permis (p. ex. 123 456 789 00012).",
                max_length=14,
                normalize=structures.validators.normalize_siret,
                validators=[structures.validators.validate_siret],
                verbose_name="SIRET",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="telephone",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="Le numéro de l’accueil, p. ex. 02 41 00 00 00 (pas celui d’une personne).",
                max_length=14,
                normalize=structures.validators.normalize_phone,
                validators=[structures.validators.validate_phone],
                verbose_name="téléphone",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="type_territoire",
            field=models.CharField(
                blank=True,
                choices=[("urbain", "Urbain"), ("rural", "Rural")],
                max_length=10,
                verbose_name="type de territoire",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstructure",
            name="code_postal",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="Un des codes postaux de la commune ; rempli d’office si la commune n’en a qu’un.",
                max_length=5,
                normalize=structures.validators.normalize_code_postal,
                validators=[structures.validators.validate_code_postal],
                verbose_name="code postal",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstructure",
            name="email",
            field=models.EmailField(
                blank=True,
                help_text="L’adresse de l’accueil (pas celle d’une personne).",
                max_length=254,
                verbose_name="adresse électronique",
            ),
        ),
        migrations.AlterField(
            model_name="structure",
            name="code_postal",
            field=structures.fields.NormalizedCharField(
                blank=True,
                help_text="Un des codes postaux de la commune ; rempli d’office si la commune n’en a qu’un.",
                max_length=5,
                normalize=structures.validators.normalize_code_postal,
                validators=[structures.validators.validate_code_postal],
                verbose_name="code postal",
            ),
        ),
        migrations.AlterField(
            model_name="structure",
            name="email",
            field=models.EmailField(
                blank=True,
                help_text="L’adresse de l’accueil (pas celle d’une personne).",
                max_length=254,
                verbose_name="adresse électronique",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="communes_desservies",
            field=models.ManyToManyField(
                blank=True,
                help_text="Pour une structure itinérante : elle figure aussi sur la page du département de ces communes.",
                related_name="structures_itinerantes",
                to="structures.commune",
                verbose_name="communes desservies",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalStructure_communes_desservies",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "commune",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="structures.commune",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="structures.historicalstructure",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="structures.structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalStructure_communes_desservies",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RenameField(model_name="structure", old_name="commune", new_name="ancienne_commune"),
        migrations.RenameField(model_name="historicalstructure", old_name="commune", new_name="ancienne_commune"),
        migrations.AddField(
            model_name="structure",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                help_text="Une commune du département de la structure (liste officielle de l’INSEE).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="structures",
                to="structures.commune",
                verbose_name="commune",
            ),
        ),
        migrations.AddField(
            model_name="historicalstructure",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Une commune du département de la structure (liste officielle de l’INSEE).",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="structures.commune",
                verbose_name="commune",
            ),
        ),
        migrations.RunPython(search_refresh_with_commune_link, search_refresh_with_commune_text),
        migrations.RunPython(link_communes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="structure", name="ancienne_commune"),
        migrations.RemoveField(model_name="historicalstructure", name="ancienne_commune"),
        migrations.CreateModel(
            name="Presence",
            fields=[
                ("id", models.CharField(max_length=40, primary_key=True, serialize=False)),
                (
                    "structure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="presences",
                        to="structures.structure",
                    ),
                ),
                (
                    "departement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="presences",
                        to="structures.departement",
                    ),
                ),
            ],
            options={"verbose_name": "présence", "db_table": "structures_presence", "managed": False},
        ),
        migrations.RunSQL(CREATE_PRESENCE_VIEW, "DROP VIEW structures_presence"),
    ]
