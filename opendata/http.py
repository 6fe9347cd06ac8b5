"""HTTP caching of what the open data serves: ETag, Last-Modified, conditional GET (304), Cache-Control.

Everything below CACHED_PATHS shows only the published catalogue, so one number tells whether it changed: the
catalogue version (`SELECT catalogue_version()`, moved by the database's triggers on every change). For these
addresses `ConditionalGetMiddleware` answers a GET or HEAD:

- `ETag: "<version>-<digest of the address>"` (plus FORMAT, bumped when a format changes in the code);
- `Last-Modified`: the moment this server first served that version, never before the newest publication (a
  later version always gets a later second, so `If-Modified-Since` alone is reliable too);
- `Cache-Control` of its kind: public, a short `max-age` (data), longer for the sitemap, none for the catalogue's
  HTML pages (revalidated on every visit);
- 304 Not Modified, without running the view, to an `If-None-Match` or `If-Modified-Since` that still holds.

Only 200 answers get the validators (not an error, a redirect, or a page that sets a cookie). The bulk files,
the TableSchema and the datapackage (opendata/views.py) carry their own, from the files themselves.
"""

import hashlib
import math
import re
import time

from django.core.cache import cache as shared_cache
from django.http import HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

import catalogue

FORMAT = "2"  # bump when what these addresses return changes for the same catalogue (a new field…)
SEEN_TIMEOUT = 60 * 60 * 24 * 30

CACHED_PATHS = [
    # (path, Cache-Control)
    (re.compile(r"/api/[\s\S]*"), "public, max-age=60"),
    (re.compile(r"/actions/flux\.atom"), "public, max-age=600"),
    (re.compile(r"/actions/export\.(csv|xlsx|json)"), "public, max-age=300"),
    (re.compile(r"/sitemap(-[a-z]+)?\.xml"), "public, max-age=3600"),
    (re.compile(r"/statistiques/(tableau\.(csv|xlsx))?"), "public, max-age=300"),
    # The catalogue's pages (cached whole per catalogue version, never visitor-dependent: catalogue.cached_page):
    # revalidated on every visit, a 304 when nothing changed.
    (
        re.compile(r"/|/actions/([-\w]+/)?|/structures/([-\w]+/)?|/departements/[-\w]+/"),
        "public, max-age=0, must-revalidate",
    ),
]
CORS_PATHS = re.compile(r"/api/")


def cache_control(path):
    """The Cache-Control of a cached address, None for the others."""
    for pattern, value in CACHED_PATHS:
        if pattern.fullmatch(path):
            return value
    return None


def version_seen_at(version):
    """Seconds since the epoch at which this server first served catalogue `version` (shared cache: all
    processes agree when it is Redis); always after the previous version's, so that dates order versions."""
    key = f"opendata:seen:{version}"
    seen = shared_cache.get(key)
    if seen is None:
        last = shared_cache.get("opendata:seen:last") or 0
        candidate = max(math.ceil(time.time()), last + 1)
        shared_cache.add(key, candidate, SEEN_TIMEOUT)
        seen = shared_cache.get(key) or candidate
        shared_cache.set("opendata:seen:last", max(seen, last), SEEN_TIMEOUT)
    return seen


def validators(request):
    """(ETag, Last-Modified in seconds) of the request's address for the current catalogue version."""
    version = catalogue.version()
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:12]
    return f'"{version}-{FORMAT}-{address}"', version_seen_at(version)


def add_headers(response, etag, last_modified, control):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = control
    return response


class ConditionalGetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        control = cache_control(request.path) if request.method in ("GET", "HEAD") else None
        if control is None:
            return self.get_response(request)
        etag, last_modified = validators(request)
        answer = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if isinstance(answer, HttpResponseNotModified):
            if CORS_PATHS.match(request.path):
                answer["Access-Control-Allow-Origin"] = "*"
            return add_headers(answer, etag, last_modified, control)
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and "Cookie" not in response.get("Vary", ""):
            add_headers(response, etag, last_modified, control)
        return response
