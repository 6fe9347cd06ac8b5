"""How many actions, by département and dimension, by vocabulary, and how many structures.

`count_actions(filterset, version)` takes the filter set of the page (`ActionFilterSet`, the one definition of
« these actions ») and returns every count the page, the map and the downloads show. Unlike the actions list's
facet counts, which count each facet with its own filter left out (what ticking one more box would give), these
are plain counts over the matching actions.

Counted in the in-memory facet index (actions/facet_index.py): the matching actions are one mask, each count a
`bincount` over the index's columns. Measured at 100,000 actions on PostgreSQL (bench/README.md): one SQL
query of `GROUP BY`s over a common table expression of the matching actions cost about 1 s unfiltered, a few
milliseconds here once the index is loaded. A many-to-many breakdown counts each action once under each of its
values, and once under None if it has none.
"""

from collections import Counter
from dataclasses import dataclass, field

from actions.facet_index import NONE, tally_pairs
from actions.facets import IndexedSelection

# The breakdowns by vocabulary: names of the actions list's facets (its query-string parameters).
BREAKDOWNS = ("statut", "public", "territoire", "initiative", "mots_cles")


@dataclass
class ActionCounts:
    """Counts keyed by primary key; `None` stands for « not filled in ». Missing keys mean zero."""

    cells: dict = field(default_factory=dict)  # (département pk, dimension pk or None) → actions
    structures: dict = field(default_factory=dict)  # département pk → structures with at least one action
    breakdowns: dict = field(default_factory=dict)  # breakdown name → {value pk or None: actions}

    @property
    def total(self):
        return sum(self.cells.values())


def _key(value):
    return None if value == NONE else value


def count_actions(filterset, version):
    selection = IndexedSelection(filterset, version)
    index, mask = selection.index, selection.matching()
    departements, dimensions = index.values("departement", mask), index.values("dimension", mask)
    structures_by_departement = tally_pairs(index.values("structure", mask), departements)
    return ActionCounts(
        cells={(_key(d), _key(m)): n for (d, m), n in tally_pairs(departements, dimensions).items()},
        structures={_key(d): n for d, n in Counter(d for _, d in structures_by_departement).items()},
        breakdowns={name: index.counts_with_empty(name, mask) for name in BREAKDOWNS},
    )
