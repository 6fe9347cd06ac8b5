"""The fiches' texts compressed with lz4 instead of pglz: writing a fiche (an import above all) compresses its long
texts twice (the fiche and its history row), and pglz costs about as much as the rest of the row's write
(bench/README.md « Compression des textes »). Smaller on disk too. A server built without lz4 keeps pglz."""

from django.db import migrations

TABLES = ["actions_action", "actions_historicalaction", "actions_revision"]


def set_compression(method):
    tables = ", ".join(f"'{table}'" for table in TABLES)
    return f"""
DO $$
DECLARE col record;
BEGIN
    FOR col IN
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name IN ({tables}) AND data_type IN ('text', 'jsonb')
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET COMPRESSION {method}', col.table_name, col.column_name);
    END LOOP;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 non disponible sur ce serveur : les textes restent compressés par pglz.';
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_historical_verbose_names"),
    ]

    operations = [migrations.RunSQL(set_compression("lz4"), set_compression("default"))]
