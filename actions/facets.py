"""Facet counts: for each option of each facet, how many published actions it would give.

`facet_counts(filterset)` is the one function that computes them: it takes the filtered actions (an
`ActionFilterSet`, which knows the filtered queryset and how to leave one filter out) and returns every count
at once. Each facet is counted with every *other* active filter applied (its own is left out, so several values
of one facet can be ticked). Today: one SQL query, a `UNION ALL` of one `GROUP BY` per facet. At 100,000
actions this should move to a narrow facet table or in-process bitmaps (see PERF notes): only this function
changes, views and templates read its result.

`build_facets(filterset, counts)` turns the counts into what the template shows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Value


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
