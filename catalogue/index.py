"""The published actions' facet values in each process's memory: facet counts and totals without scanning tables.

At 100,000 actions, counting the 9 facets of a list in SQL costs 250 ms to 1.5 s (bench/README.md: every facet
re-joins the filtered actions). Here each published action is a row position; each single-valued facet is one
integer column (0 when empty) and each many-to-many facet a pair of arrays (row, value), in numpy. A filter
becomes a boolean mask, a facet count one `bincount` of the rows left by the *other* filters: a few milliseconds.
Text search stays in the database (its GIN index); its matching ids become one more mask.

Part of the catalogue's snapshot (catalogue/read_model.py), which follows the catalogue version: patched with the
actions a publish changed, read again whole after any other change. Only catalogue/ imports this module (ruff
TID251).
Memory: 9 MB per process at 100,000 actions and 580,000 links; loading it takes about 1 s there (bench/README.md).
"""

from dataclasses import dataclass

import numpy as np
from django.db import connections
from django.db.models import BigIntegerField, F, Func, Value
from django.db.models.functions import Coalesce

from actions.models import link_table

NONE = 0  # value of an empty single-valued facet (primary keys start at 1)


@dataclass(frozen=True)
class Column:
    """A facet as the index stores it: the field path from Action, many-to-many or not."""

    path: str
    many: bool = False


class EpochMicroseconds(Func):
    """A datetime column as microseconds since 1970 (an integer), computed by the database: converting 100,000
    datetimes in Python takes a second."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # date_part (double precision, exact to the microsecond for these dates) is faster than EXTRACT (numeric).
        return self.as_sql(compiler, connection, template="(date_part('epoch', %(expressions)s) * 1000000)::bigint")


# Published actions without a publication date (written outside `save()`) come first among the newest, as in
# PostgreSQL's descending order.
UNDATED = 2**62


class FacetIndex:
    def __init__(self, ids, single, multi, published, *, links_sorted=False):
        self.ids = ids  # sorted primary keys of the published actions
        # 32-bit values (primary keys, row numbers): half the memory; not copied again when already 32-bit (a patch).
        self.single = {name: values.astype(np.int32, copy=False) for name, values in single.items()}  # as `ids`
        self.multi = {}  # name → (rows, values): one pair per link, sorted by value
        self.starts = {}  # name → where each value's links start in `multi[name]`
        for name, (rows, values) in multi.items():
            order = slice(None) if links_sorted else np.argsort(values, kind="stable")
            self.multi[name] = (rows[order].astype(np.int32, copy=False), values[order].astype(np.int32, copy=False))
            self.starts[name] = np.searchsorted(self.multi[name][1], np.arange(values.max(initial=0) + 2))
        self.published = published  # each row's publication time (EpochMicroseconds), UNDATED if none
        # Each row's place in `newest_first()` order (0: the newest): latest publication first, then highest id.
        self.newest = np.empty(len(ids), dtype=np.int64)
        self.newest[np.lexsort((-ids, -published))] = np.arange(len(ids))

    @classmethod
    def load(cls, columns, actions, *, only=None):
        """The index of `actions` (a queryset) for `columns` ({name: Column}), without joining the wide actions
        table to anything: their own foreign keys (an index-only scan of `action_published_facets` on
        PostgreSQL), one small query per related table a path goes through (structure → département → région),
        one query per many-to-many table, one for the publication times. `only`: the primary keys `actions` is
        limited to, to read only their links and their structures (see `patched`)."""
        model = actions.model
        single = {name: column.path.split("__", 1) for name, column in columns.items() if not column.many}
        hops = sorted({parts[0] for parts in single.values()})
        attnames = [Coalesce(F(model._meta.get_field(hop).attname), Value(NONE)) for hop in hops]
        table = _integers(actions.order_by("pk").values_list("pk", *attnames))
        ids = table[:, 0].copy()
        by_hop = {hop: table[:, position + 1] for position, hop in enumerate(hops)}
        columns_of_single = {name: by_hop[hop].copy() for name, (hop, *rest) in single.items() if not rest}
        for hop in hops:  # fields of a related row: looked up in arrays indexed by the related primary key
            further = {name: rest[0] for name, (first, *rest) in single.items() if first == hop and rest}
            if not further:
                continue
            related = model._meta.get_field(hop).related_model.objects
            if only is not None:
                related = related.filter(pk__in=np.unique(by_hop[hop]).tolist() or [0])  # never an empty IN
            expressions = [Coalesce(F(path), Value(NONE)) for path in further.values()]
            pairs = _integers(related.values_list("pk", *expressions))
            size = max(by_hop[hop].max(initial=0), pairs[:, 0].max(initial=0)) + 1
            for position, name in enumerate(further, start=1):
                lookup = np.zeros(size, dtype=np.int64)
                lookup[pairs[:, 0]] = pairs[:, position]
                columns_of_single[name] = lookup[by_hop[hop]]
        multi = {}
        for name, column in columns.items():
            if column.many:
                through, source, target = link_table(model, column.path)
                links = through.objects if only is None else through.objects.filter(**{f"{source}__in": only or [0]})
                links = links.values_list(source, target)
                pairs = _integers(links)
                rows_of_links, known = _rows_of(ids, pairs[:, 0])
                multi[name] = (rows_of_links[known], pairs[known, 1].copy())
        dated = actions.order_by().values_list("pk", Coalesce(EpochMicroseconds("published_at"), Value(UNDATED)))
        dated = _integers(dated)
        rows, known = _rows_of(ids, dated[:, 0])
        published = np.full(len(ids), UNDATED, dtype=np.int64)
        published[rows[known]] = dated[known, 1]
        return cls(ids, columns_of_single, multi, published)

    def patched(self, columns, actions, changed):
        """This index with the rows of the `changed` primary keys read again from `actions` (added, updated or
        gone): a few small queries and array copies instead of reading every action again."""
        changed = np.asarray(sorted(changed), dtype=np.int64)
        fresh = FacetIndex.load(columns, actions.filter(pk__in=changed.tolist()), only=changed.tolist())
        kept = ~np.isin(self.ids, changed)
        ids = np.concatenate([self.ids[kept], fresh.ids])
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        single = {name: np.concatenate([self.single[name][kept], fresh.single[name]])[order] for name in self.single}
        new_row_of_old = np.searchsorted(ids, self.ids)  # valid for the kept rows
        multi = {}
        for name, (rows, values) in self.multi.items():  # both sorted by value: merged, not sorted again
            still = kept[rows]
            rows, values = new_row_of_old[rows[still]], values[still]
            fresh_rows, fresh_values = fresh.multi[name]
            at = np.searchsorted(values, fresh_values, side="right")
            multi[name] = (
                np.insert(rows, at, np.searchsorted(ids, fresh.ids[fresh_rows])),
                np.insert(values, at, fresh_values),
            )
        published = np.concatenate([self.published[kept], fresh.published])[order]
        return FacetIndex(ids, single, multi, published, links_sorted=True)

    def __len__(self):
        return len(self.ids)

    # ── masks ──────────────────────────────────────────────────────────────────────────────────────────────

    def everything(self):
        return np.ones(len(self.ids), dtype=bool)

    def of_ids(self, pks):
        """Rows of the given primary keys (those not in the index are ignored)."""
        rows, known = _rows_of(self.ids, np.fromiter(pks, dtype=np.int64))
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[rows[known]] = True
        return mask

    def having(self, name, values):
        """Rows whose facet `name` holds any of `values` (primary keys)."""
        if name in self.single:
            return _isin(self.single[name], values)
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.rows_with(name, values)] = True
        return mask

    def rows_with(self, name, values):
        """The rows linked to each of `values` in the many-to-many facet `name`, once per link: read from the
        links sorted by value, without looking at the others."""
        rows, _ = self.multi[name]
        starts = self.starts[name]
        slices = [rows[starts[value] : starts[value + 1]] for value in set(values) if 0 <= value < len(starts) - 1]
        return np.concatenate(slices) if slices else np.zeros(0, dtype=np.int64)

    def nearest(self, pk, name, values, tie_name, tie_value, limit):
        """Up to `limit` primary keys other than `pk`: the rows sharing the most of `values` in the many-to-many
        facet `name`, then those whose `tie_name` is `tie_value`, then the newest; rows sharing nothing count only
        if they have `tie_value`."""
        shared = np.bincount(self.rows_with(name, values), minlength=len(self.ids))
        same = self.single[tie_name] == tie_value if tie_value else np.zeros(len(self.ids), dtype=bool)
        candidates = np.flatnonzero(((shared > 0) | same) & (self.ids != pk))
        # One sortable number per row: shared first, then same, then newest.
        score = (shared << 33) + (same.astype(np.int64) << 32) - self.newest
        if len(candidates) > limit:  # the best `limit` without sorting every candidate
            candidates = candidates[np.argpartition(-score[candidates], limit)[:limit]]
        best = candidates[np.argsort(-score[candidates])]
        return self.ids[best].tolist()

    def newest_slice(self, mask, start, stop, first=None):
        """The primary keys of the rows in `mask` from `start` to `stop` in `newest_first()` order (latest
        publication first, then highest id); the rows of the mask `first`, if given, before the others."""
        rows = np.flatnonzero(mask)
        places = self.newest[rows]
        if first is not None:
            places = places + (~first[rows]).astype(np.int64) * len(self.ids)
        if stop < len(rows):  # the first `stop` without sorting every row
            kept = np.argpartition(places, stop)[:stop]
            rows, places = rows[kept], places[kept]
        return self.ids[rows[np.argsort(places)][start:stop]].tolist()

    # ── counts ─────────────────────────────────────────────────────────────────────────────────────────────

    def values(self, name, mask):
        """The facet values of the rows in `mask`, once per row and value (empty single values included)."""
        if name in self.single:
            return self.single[name][mask]
        rows, linked = self.multi[name]
        return linked[mask[rows]]

    def counts(self, name, mask):
        """{value: rows in `mask` holding it}, empty values left out."""
        return tally(self.values(name, mask))

    def counts_with_empty(self, name, mask):
        """Like `counts`, with None → the rows in `mask` that have no value for the facet."""
        counts = tally(self.values(name, mask), keep_none=True)
        empty = counts.pop(NONE, 0)  # single-valued: the rows with the empty value
        if name in self.multi:  # many-to-many: the rows without any link
            rows, _ = self.multi[name]
            has_value = np.zeros(len(self.ids), dtype=bool)
            has_value[rows] = True
            empty = int(np.count_nonzero(mask & ~has_value))
        if empty:
            counts[None] = empty
        return counts


def _integers(rows):
    """A `values_list` queryset of integers as a 2-D array: its rows straight from the cursor (Django's row
    iteration cost twice the query at 100,000 actions)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        width = len(cursor.description)
        return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, width)


def _rows_of(ids, pks):
    """(row of each of `pks` in the sorted `ids`, which of them are there at all): rows of absent keys are 0."""
    if not len(ids):
        return np.zeros(len(pks), dtype=np.int64), np.zeros(len(pks), dtype=bool)
    rows = np.searchsorted(ids, pks).clip(0, len(ids) - 1)
    return rows, ids[rows] == pks


def _isin(values, wanted):
    """`values` (an array of primary keys) that are in `wanted`: by lookup table, 4 times faster than sorting."""
    wanted = np.asarray(list(wanted), dtype=np.int64)
    if not len(wanted) or not len(values):
        return np.zeros(len(values), dtype=bool)
    return np.isin(values, wanted, kind="table")


def tally(values, *, keep_none=False):
    """{value: occurrences} of an array of primary keys, NONE left out unless `keep_none`. Counted with `bincount`
    (primary keys are small integers): `numpy.unique` sorts, 30 ms for the 265,000 mots-clés links of 100,000
    actions, 250 ms for the pairs of the statistics page."""
    counts = np.bincount(values)
    return {int(value): int(counts[value]) for value in np.flatnonzero(counts) if keep_none or value != NONE}


def tally_pairs(firsts, seconds):
    """{(first, second): occurrences} of two aligned arrays of primary keys, NONE kept."""
    width = int(seconds.max(initial=0)) + 1
    keys = firsts.astype(np.int64) * width + seconds
    return {divmod(key, width): n for key, n in tally(keys, keep_none=True).items()}
