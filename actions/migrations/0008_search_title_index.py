"""PostgreSQL: a GIN index on the titles of published actions, for broad text queries.

A query matching thousands of actions is not ranked exactly (actions/search.py `order_broad`): the actions whose
title has every word come first. This index finds those titles without computing a vector for every row.
"""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX actions_action_title_search ON actions_action "
    "USING gin (to_tsvector('french_unaccent'::regconfig, titre)) WHERE state = 'publiee'"
)


def forwards(apps, schema_editor):
    schema_editor.execute(INDEX_SQL)


def backwards(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS actions_action_title_search")


class Migration(migrations.Migration):
    dependencies = [("actions", "0007_public_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
