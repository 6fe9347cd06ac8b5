"""The two caches on top of the snapshot, both in Django's cache (Redis shared by every app server with
`CACHE_URL`, else each process's memory), both keyed by the catalogue version: an entry is never read after a change,
and old ones expire by themselves.

- the whole page per (version, address): `cached_page`;
- the matching ids of a text query per (version, query): `matching_ids` (the one part of a list the snapshot cannot
  answer, since text search stays in PostgreSQL and its GIN index).
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse

from catalogue import read_model

TIMEOUT = 60 * 60  # seconds; entries of an old version are unreachable anyway, this only bounds their memory
PREFIX = "catalogue"


def _key(name, version, key):
    return f"{PREFIX}:{version}:{name}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def matching_ids(query, version=None, *, in_title=False):
    """The ids of the actions (of any state) matching the text query `query` (actions.search.SearchQuery); with
    `in_title`, of the published actions whose title has every word (actions.search.order_broad)."""
    from actions import search

    version = read_model.current_version() if version is None else version
    key = _key("title-matches" if in_title else "matches", version, query.tsquery)
    ids = cache.get(key)
    if ids is None:
        ids = search.title_matching_ids(query) if in_title else search.matching_ids(query)
        cache.set(key, ids, TIMEOUT)
    return ids


class _NotCached(Exception):
    """Carries an answer that is not a plain page (a redirect, a 404 page…) out of the view."""

    def __init__(self, response):
        self.response = response


def cached_page(view):
    """A public page that shows only catalogue data, cached whole per address and catalogue version: one query
    (the version) when nothing changed since it was last rendered. Only 200 HTML answers are kept; the view
    itself must not depend on the visitor (no user, no session, no CSRF token)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _key("page", read_model.current_version(), request.build_absolute_uri())
        content = cache.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and response["Content-Type"].startswith("text/html"):
            cache.set(key, response.content.decode(response.charset), TIMEOUT)
        return response

    return wrapper


def clear():
    cache.clear()
