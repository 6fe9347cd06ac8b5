"""How many actions, by département and dimension, by vocabulary, and how many structures: one SQL query.

`count_actions(actions)` takes any queryset of actions (on the statistics page: `ActionFilterSet(…).filtered()`,
the one definition of « these actions ») and returns every count the page, the map and the downloads show. Unlike
`actions.facets.facet_counts`, which counts each facet with its own filter left out (what ticking one more box
would give), these are plain counts over the actions given.

One query whatever the filters and the number of actions, and one pass over the actions table: the matching
actions are selected once, as narrow rows (ids of their département, dimension, statut…), in a common table
expression, and every count is a `GROUP BY` over those rows, put together with `UNION ALL`. Measured at 100,000
actions on PostgreSQL (bench/statistiques_page.py), a `GROUP BY` straight over the filtered actions costs a scan
of the wide actions table each: seven of them took 1.7 to 3 s, against one here.

The filter set never yields an action twice (many-to-many filters are subqueries), so `COUNT(*)` per group is
exact; a many-to-many grouping counts each action once under each of its values, and once under NULL if it has
none.
"""

from dataclasses import dataclass, field

from django.db import connections

from actions.models import Action

# Columns of the matching actions kept for counting: (name in the query, field path from Action).
COLUMNS = (
    ("id", "pk"),
    ("structure_id", "structure_id"),
    ("departement_id", "structure__departement_id"),
    ("dimension_id", "dimension_id"),
    ("statut_id", "statut_id"),
    ("public_id", "public_id"),
    ("territoire_id", "territoire_id"),
)
# Breakdown name → the action field it groups by. Names are the actions list's query-string parameters.
BREAKDOWNS = {
    "statut": "statut",
    "public": "public",
    "territoire": "territoire",
    "initiative": "initiatives",
    "mots_cles": "mots_cles",
}


@dataclass
class ActionCounts:
    """Counts keyed by primary key; `None` stands for « not filled in ». Missing keys mean zero."""

    cells: dict = field(default_factory=dict)  # (département pk, dimension pk or None) → actions
    structures: dict = field(default_factory=dict)  # département pk → structures with at least one action
    breakdowns: dict = field(default_factory=dict)  # breakdown name → {value pk or None: actions}

    @property
    def total(self):
        return sum(self.cells.values())


def _groupings():
    """SELECTs over `matched`, each giving (grouping name, first key, second key, count)."""
    yield "SELECT 'cells', departement_id, dimension_id, COUNT(*) FROM matched GROUP BY departement_id, dimension_id"
    yield "SELECT 'structures', departement_id, NULL, COUNT(DISTINCT structure_id) FROM matched GROUP BY departement_id"
    for name, path in BREAKDOWNS.items():
        model_field = Action._meta.get_field(path)
        if not model_field.many_to_many:
            yield f"SELECT '{name}', {model_field.column}, NULL, COUNT(*) FROM matched GROUP BY {model_field.column}"
            continue
        table = model_field.remote_field.through._meta.db_table
        action_column, value_column = model_field.m2m_column_name(), model_field.m2m_reverse_name()
        yield (
            f"SELECT '{name}', link.{value_column}, NULL, COUNT(*) FROM matched "
            f"LEFT JOIN {table} link ON link.{action_column} = matched.id GROUP BY link.{value_column}"
        )


def count_actions(actions):
    matched = actions.order_by().values_list(*(path for _, path in COLUMNS))
    matched_sql, params = matched.query.sql_with_params()
    columns = ", ".join(name for name, _ in COLUMNS)
    sql = f"WITH matched ({columns}) AS ({matched_sql}) " + " UNION ALL ".join(_groupings())
    counts = ActionCounts(breakdowns={name: {} for name in BREAKDOWNS})
    with connections[actions.db].cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, first, second, n in cursor.fetchall():
            if grouping == "cells":
                counts.cells[(first, second)] = n
            elif grouping == "structures":
                counts.structures[first] = n
            else:
                counts.breakdowns[grouping][first] = n
    return counts
