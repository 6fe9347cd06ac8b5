"""How many actions, by département and dimension, by vocabulary, and how many structures.

`count_actions(filterset)` takes the filter set of the page (`ActionFilterSet`, the one definition of « these
actions ») and returns every count the page, the map and the downloads show. Unlike the actions list's facet counts,
which count each facet with its own filter left out (what ticking one more box would give), these are plain counts
over the matching actions.

Counted in the catalogue's snapshot (catalogue/, the read model): a few milliseconds at 100,000 actions, where one
SQL query of `GROUP BY`s over the matching actions cost about 1 s unfiltered (bench/README.md). A many-to-many
breakdown counts each action once under each of its values, and once under None if it has none.
"""

from collections import Counter
from dataclasses import dataclass, field

import catalogue

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


def count_actions(filterset):
    selection = catalogue.snapshot().select(filterset)
    structures_by_departement = selection.pair_counts("structure", "departement")
    return ActionCounts(
        cells=selection.pair_counts("departement", "dimension"),
        structures=dict(Counter(d for _, d in structures_by_departement)),
        breakdowns={name: selection.counts_with_empty(name) for name in BREAKDOWNS},
    )
