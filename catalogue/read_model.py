"""The snapshot of the published catalogue for one catalogue version, and this process's current one.

A `Snapshot` holds what the public pages read: the facet index of the published actions (catalogue.index), the
vocabularies' entries, the structures with their département and commune, the list filters' options. It is built
for the version read *before* loading, so a write committed during the load only makes the next request build
again. When the version moves, the next request replaces it whole: built again from the database, or, when every
version in between lists the actions it changed (`actions_cataloguechange`, written by the triggers of migration
actions 0012) and nothing else changed, a copy whose index is patched with those actions (a publish at 100,000
actions: tens of milliseconds instead of a second, bench/README.md) and whose other parts are shared.
"""

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connection

from catalogue import index as facet_index

# ── the version, once per request ──────────────────────────────────────────────────────────────────────────

_pinned = threading.local()


def request_started(**kwargs):
    """From now on the first version read is kept until the request ends: one query per request, one consistent
    catalogue for the whole page."""
    _pinned.version, _pinned.active = None, True


def request_finished(**kwargs):
    _pinned.version, _pinned.active = None, False


def read_version():
    """`catalogue_version()` also makes the next write of this transaction move the version again (a write right
    after another shares its version), so nothing cached under a number changes after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalogue_version()")
        return cursor.fetchone()[0]


def current_version():
    """Read from the database once per request (kept until the request ends), every time outside requests."""
    pinned = getattr(_pinned, "version", None)
    if pinned is not None:
        return pinned
    version = read_version()
    if getattr(_pinned, "active", False):
        _pinned.version = version
    return version


def changed_actions(since, until):
    """The ids of the actions changed by the versions after `since` up to `until`; None when anything may have
    changed, or when some of those versions are no longer listed."""
    from actions.models import CatalogueChange

    listed = CatalogueChange.objects.filter(version__gt=since, version__lte=until)
    rows = list(listed.values_list("version", "action_id"))
    if len({version for version, _ in rows}) != until - since or any(pk is None for _, pk in rows):
        return None
    return {pk for _, pk in rows}


# ── the snapshot ───────────────────────────────────────────────────────────────────────────────────────────


def index_columns():
    """A facet index column per facet and chip filter of the actions list (its class's filters)."""
    from actions.filters import ActionFilterSet

    names = (*ActionFilterSet.FACETS, *ActionFilterSet.CHIP_FILTERS)
    filters = {name: ActionFilterSet.base_filters[name] for name in names}
    return {name: facet_index.Column(facet.field_name, facet.many) for name, facet in filters.items()}


def published():
    from actions.models import Action

    return Action.objects.published()


@dataclass(frozen=True)
class Snapshot:
    version: int
    index: Any  # catalogue.index.FacetIndex of the published actions
    vocabularies: dict  # {vocabulary model: {pk: entry}}, each in display order
    structures: dict  # {pk: structure, with its département and commune}
    options: dict  # {facet name of ActionFilterSet: [options in display order]}

    @classmethod
    def load(cls, version):
        from actions.filters import ActionFilterSet
        from actions.models import Vocabulary
        from structures.models import Structure

        vocabularies = {
            model: {entry.pk: entry for entry in model.objects.all()} for model in Vocabulary.__subclasses__()
        }
        options = {}
        for name in ActionFilterSet.FACETS:  # the vocabularies' entries, then one query per other facet
            queryset = ActionFilterSet.base_filters[name].queryset
            known = vocabularies.get(queryset.model)
            options[name] = list(known.values()) if known is not None else list(queryset.all())
        structures = {
            structure.pk: structure for structure in Structure.objects.select_related("departement", "commune")
        }
        index = facet_index.FacetIndex.load(index_columns(), published())
        return cls(version, index, vocabularies, structures, options)

    def patched(self, version, changed):
        """This snapshot at `version`, when only the actions `changed` (ids) changed since."""
        if len(changed) > PATCH_LIMIT:
            patched = Snapshot(version, facet_index.FacetIndex.load(index_columns(), published()), *self._shared())
        else:
            patched = Snapshot(version, self.index.patched(index_columns(), published(), changed), *self._shared())
        for name in self.LAZY:
            if name in self.__dict__:
                patched.__dict__[name] = self.__dict__[name]
        return patched

    def _shared(self):
        return self.vocabularies, self.structures, self.options

    # Read by text queries only, so loaded with the first one (a snapshot patched after a publish keeps them: only
    # actions changed). Issue 19: actions/thesaurus.py, actions/places.py.
    LAZY = ("thesaurus", "place_names")

    @cached_property
    def thesaurus(self):
        from actions import thesaurus

        return thesaurus.load()

    @cached_property
    def place_names(self):
        from actions import places

        return places.load_names()

    # ── questions ──────────────────────────────────────────────────────────────────────────────────────────

    def select(self, filterset):
        """The published actions matching `filterset` (an ActionFilterSet on the published actions)."""
        return Selection(self, filterset)

    def dimension_counts(self, departement=None):
        """(total, [(dimension, count)]) of the published actions, or of those of one département; dimensions in
        their order, zero counts included."""
        from actions.models import Dimension

        index = self.index
        mask = index.everything() if departement is None else index.having("departement", [departement.pk])
        counts = index.counts("dimension", mask)
        dimensions = self.vocabularies[Dimension].values()
        return int(mask.sum()), [(dimension, counts.get(dimension.pk, 0)) for dimension in dimensions]

    def structure_counts(self):
        """{structure pk: its published actions} for every structure with one."""
        return self.index.counts("structure", self.index.everything())

    def nearest(self, pk, keyword_ids, dimension_id, limit):
        """Up to `limit` published actions near `pk`: the most mots-clés shared, then the same dimension, then the
        newest (see FacetIndex.nearest)."""
        return self.index.nearest(pk, "mots_cles", keyword_ids, "dimension", dimension_id, limit)


class Selection:
    """The rows of a filter set in a snapshot's index: counts and ids, as plain Python values."""

    def __init__(self, snapshot, filterset):
        from catalogue import caches

        self.index = index = snapshot.index
        self.facets = filterset.FACETS
        self.base = index.everything()
        if filterset.query:
            self.base = index.of_ids(caches.matching_ids(filterset.query, snapshot.version))
        elif getattr(filterset, "stop_words_only", False):
            self.base = ~self.base  # nothing: the page says why (actions/filters.py)
        if (place := getattr(filterset, "place", None)) is not None:  # actions/places.py
            self.base &= index.having("structure", sorted(place.structure_ids))
        self.masks = {}
        for name in (*filterset.FACETS, *filterset.CHIP_FILTERS):
            if selected := filterset.selected(name):
                self.masks[name] = index.having(name, [item.pk for item in selected])
        self.mask = self._matching()
        self.total = int(self.mask.sum())

    def _matching(self, left_out=None):
        mask = self.base.copy()
        for name, selected in self.masks.items():
            if name != left_out:
                mask &= selected
        return mask

    def ids(self, limit=None):
        """The matching primary keys in ascending order; None when there are more than `limit`."""
        if limit is not None and self.total > limit:
            return None
        return self.index.ids[self.mask].tolist()

    def newest_ids(self, start, stop, first=None):
        """The primary keys of the matching actions from `start` to `stop` in `newest_first()` order; those among
        the ids `first`, if given, before the others."""
        first = None if first is None else self.index.of_ids(first)
        return self.index.newest_slice(self.mask, start, stop, first)

    def facet_counts(self):
        """{facet name: {option pk: rows}}, each facet counted with its own filter left out."""
        if not self.masks:
            return {name: self.index.counts(name, self.mask) for name in self.facets}
        return {name: self.index.counts(name, self._matching(left_out=name)) for name in self.facets}

    def counts(self, name):
        return self.index.counts(name, self.mask)

    def counts_with_empty(self, name):
        """{value pk or None: rows}: None counts the rows without any value."""
        return self.index.counts_with_empty(name, self.mask)

    def pair_counts(self, first, second):
        """{(first pk or None, second pk or None): rows} of two single-valued columns."""
        pairs = facet_index.tally_pairs(self.index.values(first, self.mask), self.index.values(second, self.mask))
        none = facet_index.NONE
        return {(None if a == none else a, None if b == none else b): n for (a, b), n in pairs.items()}


# Above this many changed actions (a large import), reading every action again is as quick as patching.
PATCH_LIMIT = 5000

_lock = threading.Lock()
_current = None


def current():
    """This process's snapshot for the current version: kept, patched or loaded again."""
    global _current
    version = current_version()
    held = _current
    if held is not None and held.version == version:
        return held
    with _lock:
        held = _current
        if held is not None and held.version == version:
            return held
        changed = changed_actions(held.version, version) if held is not None and held.version < version else None
        snapshot = Snapshot.load(version) if changed is None else held.patched(version, changed)
        if held is None or held.version < version:
            _current = snapshot
        return snapshot


def clear():
    global _current
    with _lock:
        _current = None
    _pinned.version = None
