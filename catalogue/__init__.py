"""The read model of the public catalogue: what the public pages, the statistics, the API and the feeds read.

One entry point, `snapshot()`: an immutable `Snapshot` of the published catalogue for the current catalogue
version (facet index of the published actions, vocabularies, structures, the list filters' options), kept in each
process's memory and replaced whole when the version changes. The version is one database row moved by triggers in
every writer's transaction (migration actions 0012), read with `SELECT catalogue_version()`, once per request.

Public API (stable; other modules use nothing else from this package):

- `version()` → int: the current catalogue version (one query, then kept for the rest of the request). A cache key,
  an ETag, a `Last-Modified` stand-in: anything cached under it is valid until the catalogue changes.
- `snapshot()` → `Snapshot` for `version()`. Read it, never change it. Its methods answer in plain Python values:
  `select(filterset)` → `Selection` (`total`, `ids(limit)`, `newest_ids(start, stop, first)`, `facet_counts()`,
  `counts(name)`, `counts_with_empty(name)`, `pair_counts(a, b)`), `dimension_counts(departement=None)`,
  `structure_counts()`, `nearest(pk, keyword_ids, dimension_id, limit)`, and the attributes `version`,
  `vocabularies` ({model: {pk: entry}}), `structures` ({pk: structure}), `options` ({facet name: [options]} of
  `ActionFilterSet`).
- `cached_page(view)`: decorator, the whole page per (version, address) in Django's cache.
- `matching_ids(query, in_title=False)` → [ids] of a text query (`actions.search.SearchQuery`; `in_title`: the
  published actions whose title has every word), cached per (version, query).
- `clear()`: empties both caches and this process's snapshot (tests, benchmarks).
- `warm_up()`: builds the snapshot of the current version (gunicorn.conf.py, as a worker starts).

Nothing outside this package imports numpy or `catalogue.index` (ruff rule TID251, pyproject.toml).
"""


def version():
    from catalogue import read_model

    return read_model.current_version()


def snapshot():
    from catalogue import read_model

    return read_model.current()


def cached_page(view):
    from catalogue import caches

    return caches.cached_page(view)


def matching_ids(query, *, in_title=False):
    from catalogue import caches

    return caches.matching_ids(query, in_title=in_title)


def clear():
    from catalogue import caches, read_model

    caches.clear()
    read_model.clear()


def warm_up():
    snapshot()
