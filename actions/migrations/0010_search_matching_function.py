"""PostgreSQL: `actions_search_matching(tsquery)`, the ids of the actions whose search document matches.

PostgreSQL's planner does not count the reading of the documents (stored out of line, « TOASTed ») in the cost of
scanning `actions_search`, so it scans the whole table rather than use the GIN index: at 100,000 actions,
580 ms instead of 7 to 43 ms for « jardin partagé ». The function runs its one query with sequential scans
disabled (a `SET` also keeps it from being inlined into the caller's plan, where the setting would not apply).
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE FUNCTION actions_search_matching(query tsquery) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
ROWS 1000
AS $$ SELECT action_id FROM actions_search WHERE document @@ query $$
"""


def forwards(apps, schema_editor):
    schema_editor.execute(FUNCTION_SQL)


def backwards(apps, schema_editor):
    schema_editor.execute("DROP FUNCTION IF EXISTS actions_search_matching(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("actions", "0009_published_facets_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
