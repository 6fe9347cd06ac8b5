"""Facet counts: for each option of each facet, how many rows (actions, structures) it would give.

Each facet is counted with every *other* active filter applied (its own is left out, so several values of one
facet can be ticked). Two ways, same result (tested equal):
- `facet_counts(filterset)`, for any `FacetedFilterSet`: one SQL query, a `UNION ALL` of one `GROUP BY` per facet.
  Right for a few thousand rows (the structures directory); at 100,000 actions each branch re-joins the filtered
  actions, 250 ms to 1.5 s.
- `indexed_counts(filterset, version)`, for the actions list: the same counts and the total from the in-memory
  index of `actions.facet_index` (the text query's matching ids fetched once from the database).

`build_facets(filterset, counts)` turns the counts into what the template shows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.db.models import CharField, Count, F, Value

from actions import facet_index, search


def facet_counts(filterset):
    """{facet name: {option pk: number of published actions}}; options with no action are absent."""
    parts = []
    for name in filterset.FACETS:
        path = filterset.filters[name].field_name
        parts.append(
            filterset.filtered(exclude={name})
            .order_by()
            .values(value=F(path))
            .annotate(n=Count("pk", distinct=True), facet=Value(name, output_field=CharField()))
            .values_list("facet", "value", "n")
        )
    counts = defaultdict(dict)
    for name, value, n in parts[0].union(*parts[1:], all=True):
        if value is not None and n:
            counts[name][value] = n
    return {name: counts.get(name, {}) for name in filterset.FACETS}


def index_columns(filterset_class):
    """A facet index column per facet and chip filter of `filterset_class` (its class's filters: building a filter
    set deep-copies them, 7 ms)."""
    names = (*filterset_class.FACETS, *filterset_class.CHIP_FILTERS)
    filters = {name: filterset_class.base_filters[name] for name in names}
    return {name: facet_index.Column(facet.field_name, facet.many) for name, facet in filters.items()}


def index_of(filterset_class, queryset, version):
    """This process's facet index of `queryset` for `filterset_class`, at the catalogue `version`."""
    return facet_index.current(index_columns(filterset_class), queryset, version)


class IndexedSelection:
    """The rows of `filterset` in the index of `filterset.queryset` at the catalogue `version` (see
    actions.facet_index): `matching()` is the mask of every filter, `matching(left_out=name)` leaves one out.

    Every filter but the text query must be a facet or chip filter with a `field_name` and a `many` flag."""

    def __init__(self, filterset, version):
        self.index = index_of(type(filterset), filterset.queryset, version)
        self.base = self.index.everything()
        if filterset.query:
            self.base = self.index.of_ids(search.matching_ids(filterset.query))
        elif getattr(filterset, "stop_words_only", False):
            self.base = ~self.base  # nothing: the page says why (actions/filters.py)
        if (place := getattr(filterset, "place", None)) is not None:
            self.base &= self.index.having("structure", sorted(place.structure_ids))
        self.masks = {}
        for name in (*filterset.FACETS, *filterset.CHIP_FILTERS):
            if selected := filterset.selected(name):
                self.masks[name] = self.index.having(name, [item.pk for item in selected])

    def matching(self, left_out=None):
        mask = self.base.copy()
        for name, selected in self.masks.items():
            if name != left_out:
                mask &= selected
        return mask


# Up to this many matching rows, `indexed_counts` also gives their ids: ordering them is then a query by primary
# key instead of the filters' joins again (84 ms for « jardin partagé » and 3 filters at 100,000 actions).
FEW = 2000


class IndexedCounts(NamedTuple):
    total: int  # `filterset.filtered().count()`
    facets: dict  # `facet_counts(filterset)`: {facet name: {option pk: rows}}
    few_ids: list | None  # the matching rows' primary keys, when there are at most FEW of them


def indexed_counts(filterset, version):
    selection = IndexedSelection(filterset, version)
    matching = selection.matching()
    total = int(np.count_nonzero(matching))
    facets = {name: selection.index.counts(name, selection.matching(left_out=name)) for name in filterset.FACETS}
    return IndexedCounts(total, facets, selection.index.ids[matching].tolist() if total <= FEW else None)


@dataclass
class FacetOption:
    value: str  # as it appears in the query string
    label: str
    count: int
    selected: bool
    id: str  # HTML id of the checkbox


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)

    @property
    def selected_count(self):
        return sum(option.selected for option in self.options)

    @property
    def is_long(self):
        return len(self.options) > 8


def build_facets(filterset, counts):
    """The facets to show: options with at least one action, or ticked (so they can be unticked)."""
    facets = []
    for name in filterset.FACETS:
        facet_filter = filterset.filters[name]
        selected = {item.pk for item in filterset.selected(name)}
        facet = Facet(name=name, label=facet_filter.label)
        for option in filterset.options[name]:
            count = counts[name].get(option.pk, 0)
            if not count and option.pk not in selected:
                continue
            value = str(getattr(option, facet_filter.key))
            facet.options.append(
                FacetOption(
                    value=value,
                    label=facet_filter.option_label(option),
                    count=count,
                    selected=option.pk in selected,
                    id=f"f-{name}-{value}".lower(),
                )
            )
        if facet.options:
            facets.append(facet)
    return facets
