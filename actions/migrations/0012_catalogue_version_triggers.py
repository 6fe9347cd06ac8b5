"""The catalogue version moves in the database: triggers on every table the public pages read.

Every INSERT, UPDATE, DELETE, COPY or TRUNCATE of a catalogue table (actions and their lists, vocabularies,
structures and the communes they serve, référentiels) raises `actions_catalogueversion.value` in the writer's
own transaction, whoever writes: `save()`, `QuerySet.update()`, `bulk_create()`, the import, raw SQL, psql.
Statement-level triggers with transition tables: one bump per statement (a bulk insert of 1,000 rows is one
bump), none when the statement wrote no row or, for an action, changed only its bookkeeping columns.

`catalogue_version_bump(action_ids)` is the one place that bumps. It also records, as before, what the version
changed in `actions_cataloguechange` (catalogue.read_model.changed_actions): the actions' ids for the actions and their
lists' tables, NULL (anything may have changed) for the others or past 1,000 ids per version. Within one
transaction, writes that follow each other share one version: a marker (`catalogue.changed`, a transaction-local
setting, undone with a rolled back savepoint like the row itself) holds "<version> <ids listed>", and reading the
version (`catalogue_version()`, catalogue.version()) clears it, so a write after a read in the same
transaction moves the version again and nothing cached under a number is ever changed afterwards.

New tables: `SELECT catalogue_version_watch('table', 'action column or NULL', '{columns that are not content}')`
in their migration (tests/actions/test_catalogue_version.py checks that every catalogue table is watched).

The search document (migration 0003_search) is rebuilt on an UPDATE only for the rows whose text changed: a
publish (state, dates) no longer recomputes it; a commune renamed now does.
"""

from django.db import migrations

WATCHED = [
    # (table, column holding an action's id, columns whose change alone is not a change of the catalogue)
    ("actions_action", "id", "{imported_fingerprint,version}"),
    ("actions_action_mots_cles", "action_id", "{}"),
    ("actions_action_initiatives", "action_id", "{}"),
    ("actions_action_partenaires", "action_id", "{}"),
    ("actions_dimension", None, "{}"),
    ("actions_statut", None, "{}"),
    ("actions_public", None, "{}"),
    ("actions_territoire", None, "{}"),
    ("actions_initiative", None, "{}"),
    ("actions_motcle", None, "{}"),
    ("actions_partenaire", None, "{}"),
    ("structures_structure", None, "{}"),
    ("structures_structure_communes_desservies", None, "{}"),
    ("structures_region", None, "{}"),
    ("structures_departement", None, "{}"),
    ("structures_commune", None, "{}"),
    ("structures_codepostal", None, "{}"),
]

VERSION_SQL = r"""
-- Bumps the version once per transaction (until the version is read), and lists what changed.
-- action_ids: the actions changed; NULL: anything may have changed.
CREATE FUNCTION catalogue_version_bump(action_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    changes_per_version CONSTANT integer := 1000;  -- beyond, a process reloads rather than patches
    versions_kept CONSTANT integer := 10000;  -- versions whose changes stay listed
    marker text := current_setting('catalogue.changed', true);
    bumped bigint;  -- the version this transaction writes under
    listed integer;  -- ids listed under this version by this transaction; -1: anything may have changed
BEGIN
    IF coalesce(marker, '') = '' THEN
        UPDATE actions_catalogueversion SET value = value + 1 WHERE id = 1 RETURNING value INTO bumped;
        IF bumped IS NULL THEN
            INSERT INTO actions_catalogueversion (id, value) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET value = actions_catalogueversion.value + 1
            RETURNING value INTO bumped;
        END IF;
        listed := 0;
        IF bumped % 1000 = 0 THEN
            DELETE FROM actions_cataloguechange WHERE version <= bumped - versions_kept;
        END IF;
    ELSE
        bumped := split_part(marker, ' ', 1)::bigint;
        listed := split_part(marker, ' ', 2)::integer;
    END IF;
    IF listed >= 0 THEN
        IF action_ids IS NULL OR listed + cardinality(action_ids) > changes_per_version THEN
            INSERT INTO actions_cataloguechange (version, action_id) VALUES (bumped, NULL);
            listed := -1;
        ELSE
            INSERT INTO actions_cataloguechange (version, action_id) SELECT bumped, unnest(action_ids);
            listed := listed + cardinality(action_ids);
        END IF;
    END IF;
    PERFORM set_config('catalogue.changed', bumped || ' ' || listed, true);
END $$;

-- The version as this transaction sees it (0 before the first one); a later write moves it again.
CREATE FUNCTION catalogue_version() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT set_config('catalogue.changed', '', true);
    SELECT coalesce((SELECT value FROM actions_catalogueversion WHERE id = 1), 0);
$$;

-- The trigger: TG_ARGV[0] the column holding an action's id ('' if none), TG_ARGV[1] the columns that are not
-- content (wide rows only: a row of an UPDATE whose such columns did not change counts as changed without
-- reading its other columns again, such as a publish of thousands of fiches; one whose such columns changed,
-- like save()'s version or the import's fingerprint, counts only if another column changed too). Rows of an
-- UPDATE are matched on `id`, compared with their columns' equality operators. A statement that wrote no row
-- changes nothing.
CREATE FUNCTION catalogue_version_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    action_column text := TG_ARGV[0];
    ignored text[] := TG_ARGV[1]::text[];
    new_action text := CASE WHEN action_column = '' THEN '0' ELSE format('n.%I', action_column) END;
    old_action text := CASE WHEN action_column = '' THEN '0' ELSE format('o.%I', action_column) END;
    query text;
    new_bookkeeping text;
    old_bookkeeping text;
    new_content text;
    old_content text;
    ids bigint[];
    changed boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM catalogue_version_bump(NULL);
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        query := format('SELECT %s FROM new_rows n', new_action);
    ELSIF TG_OP = 'DELETE' THEN
        query := format('SELECT %s FROM old_rows o', old_action);
    ELSIF cardinality(ignored) = 0 THEN
        query := format('SELECT %s FROM new_rows n UNION ALL SELECT %s FROM old_rows o', new_action, old_action);
    ELSE
        -- Columns named one by one, not as whole rows (n.*), which would read every row's text at once.
        SELECT string_agg(format('n.%I', attname), ', ') FILTER (WHERE attname = ANY(ignored)),
               string_agg(format('o.%I', attname), ', ') FILTER (WHERE attname = ANY(ignored)),
               string_agg(format('n.%I', attname), ', ') FILTER (WHERE attname <> ALL(ignored)),
               string_agg(format('o.%I', attname), ', ') FILTER (WHERE attname <> ALL(ignored))
        INTO new_bookkeeping, old_bookkeeping, new_content, old_content
        FROM pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
        query := format(
            'SELECT unnest(ARRAY[%s, %s]) FROM new_rows n JOIN old_rows o ON o.id = n.id '
            'WHERE ROW(%s) IS NOT DISTINCT FROM ROW(%s) OR ROW(%s) IS DISTINCT FROM ROW(%s)',
            new_action, old_action, new_bookkeeping, old_bookkeeping, new_content, old_content
        );
    END IF;
    IF action_column = '' THEN
        EXECUTE format('SELECT EXISTS (%s)', query) INTO changed;
        IF changed THEN
            PERFORM catalogue_version_bump(NULL);
        END IF;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT action) FROM (%s) rows (action) WHERE action IS NOT NULL', query)
            INTO ids;
        IF ids IS NOT NULL THEN
            PERFORM catalogue_version_bump(ids);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION catalogue_version_watch(watched regclass, action_column text, ignored text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    arguments text := format('%L, %L', coalesce(action_column, ''), ignored);
BEGIN
    EXECUTE format('CREATE TRIGGER catalogue_version_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_on_write(%s)', watched, arguments);
    EXECUTE format('CREATE TRIGGER catalogue_version_update AFTER UPDATE ON %s '
        'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_on_write(%s)', watched, arguments);
    EXECUTE format('CREATE TRIGGER catalogue_version_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_on_write(%s)', watched, arguments);
    EXECUTE format('CREATE TRIGGER catalogue_version_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_on_write(%s)', watched, arguments);
END $$;

CREATE FUNCTION catalogue_version_unwatch(watched regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    operation text;
BEGIN
    FOREACH operation IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS catalogue_version_%s ON %s', operation, watched);
    END LOOP;
END $$;
"""

VERSION_REVERSE_SQL = r"""
DROP FUNCTION catalogue_version_unwatch(regclass);
DROP FUNCTION catalogue_version_watch(regclass, text, text[]);
DROP FUNCTION catalogue_version_on_write();
DROP FUNCTION catalogue_version();
DROP FUNCTION catalogue_version_bump(bigint[]);
"""

# The action's columns its search document is built from (actions_search_refresh), besides its mots-clés.
SEARCHED_COLUMNS = (
    "titre, resume, description_experience, description_generale, precision_initiative, raisons_fin, "
    "ressources_financieres, nombre_personnes, resultat_territoire, resultat_centre, resultat_habitants, "
    "limites, perspectives, structure_id"
)


def row_of(alias):
    return "(" + ", ".join(f"{alias}.{column.strip()}" for column in SEARCHED_COLUMNS.split(",")) + ")"


SEARCH_SQL = rf"""
CREATE FUNCTION actions_search_on_action_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[] := ARRAY(
        SELECT n.id FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
        WHERE o.id IS NULL OR {row_of("n")} IS DISTINCT FROM {row_of("o")}
    );
BEGIN
    IF cardinality(ids) > 0 THEN
        PERFORM actions_search_refresh(ids);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER actions_search_action_update ON actions_action;
CREATE TRIGGER actions_search_action_update AFTER UPDATE ON actions_action
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_update();

CREATE OR REPLACE FUNCTION actions_search_on_motcle_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT DISTINCT am.action_id FROM actions_action_mots_cles am
        WHERE am.motcle_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.libelle IS DISTINCT FROM o.libelle
        )
    ));
    RETURN NULL;
END $$;
DROP TRIGGER actions_search_motcle_update ON actions_motcle;
CREATE TRIGGER actions_search_motcle_update AFTER UPDATE ON actions_motcle
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_motcle_update();

CREATE OR REPLACE FUNCTION actions_search_on_structure_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT a.id FROM actions_action a
        WHERE a.structure_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.nom, n.commune_id) IS DISTINCT FROM (o.nom, o.commune_id)
        )
    ));
    RETURN NULL;
END $$;
DROP TRIGGER actions_search_structure_update ON structures_structure;
CREATE TRIGGER actions_search_structure_update AFTER UPDATE ON structures_structure
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_structure_update();

CREATE FUNCTION actions_search_on_commune_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT a.id FROM actions_action a JOIN structures_structure s ON s.id = a.structure_id
        WHERE s.commune_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.nom IS DISTINCT FROM o.nom
        )
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER actions_search_commune_update AFTER UPDATE ON structures_commune
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_commune_update();
"""

# As migrations 0003_search and structures 0006 left them.
SEARCH_REVERSE_SQL = r"""
DROP TRIGGER actions_search_commune_update ON structures_commune;
DROP FUNCTION actions_search_on_commune_update();

DROP TRIGGER actions_search_action_update ON actions_action;
DROP FUNCTION actions_search_on_action_update();
CREATE TRIGGER actions_search_action_update AFTER UPDATE ON actions_action
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_action_write();

CREATE OR REPLACE FUNCTION actions_search_on_motcle_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT DISTINCT am.action_id FROM actions_action_mots_cles am WHERE am.motcle_id IN (SELECT id FROM changed_rows)
    ));
    RETURN NULL;
END $$;
DROP TRIGGER actions_search_motcle_update ON actions_motcle;
CREATE TRIGGER actions_search_motcle_update AFTER UPDATE ON actions_motcle
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_motcle_update();

CREATE OR REPLACE FUNCTION actions_search_on_structure_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actions_search_refresh(ARRAY(
        SELECT a.id FROM actions_action a WHERE a.structure_id IN (SELECT id FROM changed_rows)
    ));
    RETURN NULL;
END $$;
DROP TRIGGER actions_search_structure_update ON structures_structure;
CREATE TRIGGER actions_search_structure_update AFTER UPDATE ON structures_structure
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_search_on_structure_update();
"""


def quoted(column):
    return f"'{column}'" if column else "NULL"


def watch_sql(tables):
    return "\n".join(
        f"SELECT catalogue_version_watch('{table}', {quoted(column)}, '{ignored}');"
        for table, column, ignored in tables
    )


def unwatch_sql(tables):
    return "\n".join(f"SELECT catalogue_version_unwatch('{table}');" for table, _column, _ignored in tables)


def run_sql(sql):
    """Runs `sql` as one script (plpgsql bodies: no statement splitting; its % are format()'s and modulo)."""

    def run(apps, schema_editor):
        schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0011_catalogue_change"),
        ("structures", "0006_structure_identity"),
    ]

    operations = [
        migrations.RunPython(run_sql(VERSION_SQL), run_sql(VERSION_REVERSE_SQL), elidable=False),
        migrations.RunPython(run_sql(watch_sql(WATCHED)), run_sql(unwatch_sql(WATCHED)), elidable=False),
        migrations.RunPython(run_sql(SEARCH_SQL), run_sql(SEARCH_REVERSE_SQL), elidable=False),
    ]
