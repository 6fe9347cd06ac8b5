"""Full-text search on PostgreSQL, kept current by the database itself.

- extensions `unaccent` and `pg_trgm`, and a `french_unaccent` text search configuration (unaccent, then French
  stemming);
- a narrow table `actions_search` (one row per action: `action_id`, weighted `document`, GIN index), outside the
  Django models on purpose: `makemigrations` never sees it;
- triggers on every table the document is built from (actions, their mots-clés, mots-clés renamed, structures
  renamed), statement-level with transition tables so that a bulk `UPDATE` refreshes its rows in one statement.
  Admin saves, imports, `QuerySet.update()`, `bulk_create()` and raw SQL all go through them.

Weights: A title; B résumé and mots-clés; C the rest of the fiche and the structure's name and commune.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD_SQL = r"""
CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
ALTER TEXT SEARCH CONFIGURATION french_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

CREATE TABLE actions_search (
    action_id bigint PRIMARY KEY,
    document tsvector NOT NULL
);
CREATE INDEX actions_search_document_gin ON actions_search USING gin (document);

CREATE FUNCTION actions_search_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO actions_search (action_id, document)
    SELECT a.id,
        setweight(to_tsvector('french_unaccent', coalesce(a.titre, '')), 'A')
        || setweight(to_tsvector('french_unaccent', concat_ws(' ', a.resume, kw.words)), 'B')
        || setweight(to_tsvector('french_unaccent', concat_ws(' ',
            a.description_experience, a.description_generale, a.precision_initiative, a.raisons_fin,
            a.ressources_financieres, a.nombre_personnes, a.resultat_territoire, a.resultat_centre,
            a.resultat_habitants, a.limites, a.perspectives, s.nom, s.commune)), 'C')
    FROM actions_action a
    JOIN structures_structure s ON s.id = a.structure_id
    LEFT JOIN LATERAL (
        SELECT string_agg(m.libelle, ' ') AS words
        FROM actions_action_mots_cles am JOIN actions_motcle m ON m.id = am.motcle_id
        WHERE am.action_id = a.id
    ) kw ON true
    WHERE a.id = ANY(ids)
    ON CONFLICT (action_id) DO UPDATE SET document = EXCLUDED.document;
$$;

CREATE FUNCTION actions_search_on_action_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(SELECT id FROM changed_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_action_insert AFTER INSERT ON actions_action
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_write();
CREATE TRIGGER actions_search_action_update AFTER UPDATE ON actions_action
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_write();

CREATE FUNCTION actions_search_on_action_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM actions_search WHERE action_id IN (SELECT id FROM changed_rows);
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_action_delete AFTER DELETE ON actions_action
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_delete();

CREATE FUNCTION actions_search_on_action_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM actions_search;
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_action_truncate AFTER TRUNCATE ON actions_action
    FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_truncate();

CREATE FUNCTION actions_search_on_mots_cles_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(SELECT DISTINCT action_id FROM changed_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_mots_cles_insert AFTER INSERT ON actions_action_mots_cles
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_mots_cles_link();
CREATE TRIGGER actions_search_mots_cles_delete AFTER DELETE ON actions_action_mots_cles
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_mots_cles_link();

CREATE FUNCTION actions_search_on_motcle_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT DISTINCT am.action_id FROM actions_action_mots_cles am WHERE am.motcle_id IN (SELECT id FROM changed_rows)
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_motcle_update AFTER UPDATE ON actions_motcle
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_motcle_update();

CREATE FUNCTION actions_search_on_structure_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT a.id FROM actions_action a WHERE a.structure_id IN (SELECT id FROM changed_rows)
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_structure_update AFTER UPDATE ON structures_structure
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_structure_update();

SELECT actions_search_refresh(ARRAY(SELECT id FROM actions_action));
"""

BACKWARD_SQL = r"""
DROP TRIGGER IF EXISTS actions_search_structure_update ON structures_structure;
DROP TRIGGER IF EXISTS actions_search_motcle_update ON actions_motcle;
DROP TRIGGER IF EXISTS actions_search_mots_cles_delete ON actions_action_mots_cles;
DROP TRIGGER IF EXISTS actions_search_mots_cles_insert ON actions_action_mots_cles;
DROP TRIGGER IF EXISTS actions_search_action_truncate ON actions_action;
DROP TRIGGER IF EXISTS actions_search_action_delete ON actions_action;
DROP TRIGGER IF EXISTS actions_search_action_update ON actions_action;
DROP TRIGGER IF EXISTS actions_search_action_insert ON actions_action;
DROP FUNCTION IF EXISTS actions_search_on_structure_update();
DROP FUNCTION IF EXISTS actions_search_on_motcle_update();
DROP FUNCTION IF EXISTS actions_search_on_mots_cles_link();
DROP FUNCTION IF EXISTS actions_search_on_action_truncate();
DROP FUNCTION IF EXISTS actions_search_on_action_delete();
DROP FUNCTION IF EXISTS actions_search_on_action_write();
DROP FUNCTION IF EXISTS actions_search_refresh(bigint[]);
DROP TABLE IF EXISTS actions_search;
DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;
"""


def forwards(apps, schema_editor):
    schema_editor.execute(FORWARD_SQL)


def backwards(apps, schema_editor):
    schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_action_imported_fingerprint"),
        ("structures", "0002_load_referentiels"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
