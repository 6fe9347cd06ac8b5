"""What the statistics page shows, built from `ActionCounts` and the filter set, with no query of its own.

- `FilterLinks`: links to the actions list for the current filters with one value replaced, only when the list
  would show exactly the number next to the link.
- `build_table`: every département of the référentiel, grouped by région with subtotals, and the national total,
  × the dimensions; the same rows feed the HTML table, the map and the CSV/XLSX downloads.
- `build_breakdowns`: the counts by statut, public, territoire, initiative and mot-clé, as bars.
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from fcsf_actions.text import fold
from statistiques.counts import BREAKDOWNS

NO_VALUE = "Non renseigné"


class FilterLinks:
    """Query strings built from the filter set's valid values (what the page counted), never from the raw URL."""

    def __init__(self, filterset):
        self.filterset = filterset
        self.list_path = reverse("actions:list")
        self.params = []
        if filterset.query or filterset.place_source == "q":
            self.params.append(("q", filterset.query.text))
        if filterset.place_source == "lieu":
            self.params.append(("lieu", filterset.cleaned_data["lieu"]))
        self.selected = {}
        for name in (*filterset.FACETS, "structure"):
            key = filterset.filters[name].key
            self.selected[name] = [str(getattr(item, key)) for item in filterset.selected(name)]
            self.params += [(name, value) for value in self.selected[name]]

    def query_string(self, **replace):
        """`?…` of the current filters, each parameter named in `replace` set to that one value instead."""
        params = [(name, value) for name, value in self.params if name not in replace]
        params += list(replace.items())
        return "?" + urlencode(params) if params else ""

    def list_url(self, count, **replace):
        """The actions list of exactly these `count` actions, or None when the list cannot show just them.

        Replacing a filter value is exact when `count` > 0: the value was then among the selected ones, or
        unfiltered. Except for a many-to-many facet filtered on other values: the list combines them with « or »,
        never « and ».
        """
        if not count:
            return None
        for name, value in replace.items():
            if self.filterset.filters[name].many and self.selected[name] not in ([], [value]):
                return None
        return self.list_path + self.query_string(**replace)


@dataclass
class Column:
    label: str
    id: str  # HTML id of its header
    slug: str | None = None  # the dimension's; None for « not filled in » and the total


@dataclass
class Cell:
    count: int
    url: str | None
    headers: str  # the `headers` attribute: ids of its région, row and column headers
    description: str  # what the link's number counts, for screen readers reading links out of the table


@dataclass
class Row:
    kind: str  # "departement", "region" (a subtotal) or "total"
    code: str  # département or région code, "" for the total
    name: str  # of the département or the région
    id: str  # HTML id of its header
    region_id: str  # HTML id of its région's header, "" for the total
    cells: list  # one Cell per column
    total: Cell
    structures: Cell

    @property
    def all_cells(self):
        return [*self.cells, self.total, self.structures]

    @property
    def label(self):
        if self.kind == "departement":
            return f"{self.name} ({self.code})"
        return f"Total {self.name}" if self.kind == "region" else "France entière"


@dataclass
class RegionGroup:
    code: str
    name: str
    id: str
    rows: list = field(default_factory=list)
    subtotal: Row | None = None

    @property
    def all_rows(self):
        return [*self.rows, self.subtotal]


@dataclass
class Table:
    columns: list
    groups: list
    total: Row

    @property
    def departement_rows(self):
        return [row for group in self.groups for row in group.rows]

    @property
    def departements_with_actions(self):
        return sum(1 for row in self.departement_rows if row.total.count)


TOTAL_COLUMN = Column("Total", "col-total")
STRUCTURES_COLUMN = Column("Structures ayant au moins une action", "col-structures")


def _row(kind, code, name, row_id, region_id, counts, structures, *, columns, links, replace):
    """A table row; `counts` has one number per column; `replace` says which filter values the row stands for."""
    row = Row(kind, code, name, row_id, region_id, [], None, None)
    prefix = f"{region_id} {row_id}" if region_id else row_id

    def cell(count, column, url=None):
        plural = "s" if count > 1 else ""
        what = "en tout" if column is TOTAL_COLUMN else column.label
        return Cell(count, url, f"{prefix} {column.id}", f"action{plural} {what}, {row.label}")

    for column, count in zip(columns, counts, strict=True):
        url = links.list_url(count, **replace, dimension=column.slug) if column.slug else None
        row.cells.append(cell(count, column, url))
    row.total = cell(sum(counts), TOTAL_COLUMN, links.list_url(sum(counts), **replace))
    row.structures = cell(structures, STRUCTURES_COLUMN)
    return row


def build_table(counts, filterset, links):
    """The département × dimension table: every département of the référentiel, zero or not, in code order
    within its région, régions in alphabetical order."""
    dimensions = filterset.options["dimension"]
    columns = [Column(dimension.libelle, f"col-{dimension.slug}", dimension.slug) for dimension in dimensions]
    dimension_pks = [dimension.pk for dimension in dimensions]
    if any(dimension is None and n for (_, dimension), n in counts.cells.items()):
        columns.append(Column("Dimension non renseignée", "col-sans-dimension"))
        dimension_pks.append(None)
    make_row = functools.partial(_row, columns=columns, links=links)

    # French alphabetical order (« Île-de-France » after « Hauts-de-France »), whatever the database's collation.
    regions = sorted(filterset.options["region"], key=lambda region: fold(region.nom))
    groups = {region.pk: RegionGroup(region.code, region.nom, f"reg-{region.code}") for region in regions}
    for departement in filterset.options["departement"]:
        group = groups[departement.region_id]
        group.rows.append(
            make_row(
                "departement",
                departement.code,
                departement.nom,
                f"row-{departement.code}",
                group.id,
                [counts.cells.get((departement.pk, pk), 0) for pk in dimension_pks],
                counts.structures.get(departement.pk, 0),
                replace={"departement": departement.code},
            )
        )
    kept = [group for group in groups.values() if group.rows]
    for group in kept:
        group.subtotal = make_row(
            "region",
            group.code,
            group.name,
            f"sub-{group.code}",
            group.id,
            _column_sums(group.rows, len(columns)),
            sum(row.structures.count for row in group.rows),
            replace={"region": group.code},
        )
    subtotals = [group.subtotal for group in kept]
    structures = sum(row.structures.count for row in subtotals)
    total = make_row("total", "", "", "row-total", "", _column_sums(subtotals, len(columns)), structures, replace={})
    return Table(columns, kept, total)


def _column_sums(rows, width):
    return [sum(row.cells[index].count for row in rows) for index in range(width)]


@dataclass
class Bar:
    label: str
    count: int
    url: str | None
    width: float  # 0–100, relative to the longest bar
    share: int  # percentage of all the actions counted


@dataclass
class Breakdown:
    name: str
    title: str
    bars: list
    many: bool  # an action may count under several values


def build_breakdowns(counts, filterset, links):
    """One bar list per vocabulary, every value shown (zero included), most frequent first."""
    breakdowns = []
    total = counts.total
    for name in BREAKDOWNS:
        facet = filterset.filters[name]
        by_value = counts.breakdowns[name]
        entries = [
            (option.libelle, by_value.get(option.pk, 0), str(getattr(option, facet.key)))
            for option in filterset.options[name]
        ]
        if by_value.get(None):
            entries.append((NO_VALUE, by_value[None], None))
        longest = max((count for _, count, _ in entries), default=0)
        bars = [
            Bar(
                label=label,
                count=count,
                url=links.list_url(count, **{name: slug}) if slug else None,
                width=round(count * 100 / longest, 1) if longest else 0,
                share=round(count * 100 / total) if total else 0,
            )
            for label, count, slug in entries
        ]
        bars.sort(key=lambda bar: -bar.count)  # stable: vocabulary order among equals
        breakdowns.append(Breakdown(name, facet.label, bars, facet.many))
    return breakdowns


@dataclass
class FilterOption:
    value: str
    label: str
    selected: bool
    id: str


@dataclass
class FilterGroup:
    name: str
    label: str
    options: list

    @property
    def selected_count(self):
        return sum(option.selected for option in self.options)


def filter_groups(filterset):
    """The list's facets as checkboxes for the statistics page's own filter form: every value, no count."""
    groups = []
    for name in filterset.FACETS:
        facet = filterset.filters[name]
        selected = {item.pk for item in filterset.selected(name)}
        options = []
        for option in filterset.options[name]:
            value = str(getattr(option, facet.key))
            options.append(
                FilterOption(value, facet.option_label(option), option.pk in selected, f"s-{name}-{value}".lower())
            )
        groups.append(FilterGroup(name, facet.label, options))
    return groups
