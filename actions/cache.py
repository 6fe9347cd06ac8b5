"""Cached counts of the catalogue, shared by every process and invalidated by any change.

Counting facets and totals over 100,000 actions costs tens to hundreds of milliseconds; the same counts are asked
again and again (the home page, a list without a query, a campaign link). They are cached under a key that holds
the *catalogue version*: one database row whose number goes up, in the writer's own transaction, whenever an
action, its lists, a vocabulary, a structure or a référentiel changes. The database's own triggers move it
(migration actions 0012), whoever writes: `save()`, `QuerySet.update()`, `bulk_create()`, the import, raw SQL.
A reader sees the new number exactly when it sees the new data (same transaction), so a publish on one instance
shows at once on every other, whatever the cache backend: Redis shared by all app servers (`CACHE_URL`), or each
process's own memory. Stale entries are never read again and expire by themselves.
"""

import hashlib
import threading
from collections import OrderedDict
from functools import wraps

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse

TIMEOUT = 60 * 60  # seconds; entries of an old version are unreachable anyway, this only bounds their memory
PREFIX = "catalogue"
LOCAL_ENTRIES = 500  # rendered pages also kept in each process's memory (≈ 15 KB each)


def current_version(request=None):
    """The catalogue version, read from the database (once per request if given one): the one query of a page
    served from the cache. `catalogue_version()` also makes the next write of this transaction move the version
    again (a write right after another shares its version), so nothing cached under a number changes after."""
    if request is not None and hasattr(request, "catalogue_version"):
        return request.catalogue_version
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalogue_version()")
        version = cursor.fetchone()[0]
    if request is not None:
        request.catalogue_version = version
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


class ProcessMemory:
    """Values kept in this process's memory for the latest catalogue version it has seen, one per key.

    A value is read again (`load()`) when the catalogue changed, unless every version in between lists the actions
    it changed and the caller can bring the value up to date from them (`patch(value, changed ids)`): a publish
    then costs a patch, not a reload. Each process follows the version read from the database on every request,
    so nothing here assumes a single process."""

    def __init__(self):
        self.lock = threading.RLock()  # a `load` may ask for another value
        self.values = {}  # key → (version, value)
        self.last_step = None  # ((since, until), changed actions): values of one version catch up with one query

    def get(self, key, version, load, patch=None):
        with self.lock:
            found = self.values.get(key)
            if found is not None and found[0] == version:
                return found[1]
            changed = None
            if found is not None and found[0] < version and patch is not None:
                changed = self.changed_actions(found[0], version)
            value = load() if changed is None else patch(found[1], changed)
            self.values[key] = (version, value)
            return value

    def changed_actions(self, since, until):
        if self.last_step is None or self.last_step[0] != (since, until):
            self.last_step = ((since, until), changed_actions(since, until))
        return self.last_step[1]

    def clear(self):
        with self.lock:
            self.values.clear()
            self.last_step = None


process_memory = ProcessMemory()


def unchanged_by_actions(value, changed):
    """The `patch` of a value that no action changes (vocabularies, structures, filter options): kept as it is,
    read again only after another kind of change."""
    return value


def digest(key):
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


class LocalPages:
    """The most recently used strings (rendered pages) of this process, in front of the shared cache.

    Safe without any invalidation: keys hold the catalogue version, read from the database on every request.
    Strings only, since they cannot be changed by whoever reads them. Saves the shared cache's round trip and
    unpickling on the most read pages (a fiche served from Redis: 2.7 ms in-process, from here: see bench/)."""

    def __init__(self, size):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        if not isinstance(value, str):
            return
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_pages = LocalPages(LOCAL_ENTRIES)


def cached(name, key, compute, *, version=None):
    """`compute()`, remembered under (catalogue version, name, key). `key` is any repr-stable value."""
    if version is None:
        version = current_version()
    cache_key = f"{PREFIX}:{version}:{name}:{digest(key)}"
    value = local_pages.get(cache_key)
    if value is not None:
        return value
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    local_pages.put(cache_key, value)
    return value


def clear(*, keep_process_memory=False):
    """Empties the shared cache, this process's pages and its other values (facet index, vocabularies): tests,
    benchmarks."""
    cache.clear()
    local_pages.clear()
    if not keep_process_memory:
        process_memory.clear()


ORDER_CACHED = 1000  # ids of the first 50 pages of a list; later pages are read with OFFSET


class CachedOrder:
    """The actions of a filtered list in their order, as Django's paginator wants them (`count()` and slices).

    The order of a list (ranked search, 100,000 rows sorted) is its costly part: the ids of its first
    ORDER_CACHED actions are cached under `key`, and a page is then one query by id for its cards."""

    def __init__(self, queryset, key, total, *, version):
        self.queryset, self.key, self.total, self.version = queryset, key, total, version

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step or (item.stop or 0) > ORDER_CACHED:
            return list(self.queryset.for_cards()[item])
        ids = cached("order", self.key, self._first_ids, version=self.version)[item]
        cards = self.queryset.model.objects.for_cards().in_bulk(ids)
        return [cards[pk] for pk in ids if pk in cards]

    def _first_ids(self):
        return list(self.queryset.values_list("pk", flat=True)[:ORDER_CACHED])


class _NotCached(Exception):
    """Carries an answer that is not a plain page (a redirect, a 404 page…) out of `cached`."""

    def __init__(self, response):
        self.response = response


def cached_page(view):
    """A public page that shows only catalogue data, cached whole per address and catalogue version: one query
    (the version) when nothing changed since it was last rendered. Only 200 HTML answers are kept; the view
    itself must not depend on the visitor (no user, no session, no CSRF token)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        def render():
            response = view(request, *args, **kwargs)
            if (
                response.status_code != 200
                or response.streaming
                or not response["Content-Type"].startswith("text/html")
            ):
                raise _NotCached(response)
            return response.content.decode(response.charset)

        try:
            return HttpResponse(cached("page", request.build_absolute_uri(), render, version=current_version(request)))
        except _NotCached as not_cached:
            return not_cached.response

    return wrapper
