"""The API's addresses: those of the ninja operations (api/views.py), read-only, then a JSON 404 for the rest."""

from django.urls import URLPattern, re_path

from api import views
from api.http import read_only

app_name = "api"

urlpatterns = [
    URLPattern(pattern.pattern, read_only(pattern.callback), pattern.default_args, pattern.name)
    for pattern in views.api.urls[0]
    if pattern.name != "api-root"  # ninja's own, only to find the prefix, which openapi_document() gives
]
urlpatterns += [
    # Any other address ending in / answers a JSON 404 (without the slash, APPEND_SLASH redirects here first).
    # [\s\S], not ".": a path may hold a line break (%0A); \Z, not "$", which also matches before a final one.
    re_path(r"^[\s\S]*/\Z", read_only(views.not_found)),
]
