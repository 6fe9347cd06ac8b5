"""What every API view shares: JSON answers, errors in French naming the parameter, CORS, read-only, pages.

An error is `{"erreur": "what is wrong and what to do", "parametre": "page_size"}` (`parametre` when a query
parameter is at fault), the same shape as the rate limiter's 429 (fcsf_actions/ratelimit.py).
"""

import functools
import re

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

# Open to every origin, without credentials: the API serves public data only and reads no cookie.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Max-Age": "86400",
}

POSITIVE_INTEGER = re.compile(r"[0-9]{1,18}", re.ASCII)


class ApiError(Exception):
    def __init__(self, status, message, parameter=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def response(self):
        body = {"erreur": self.message}
        if self.parameter:
            body["parametre"] = self.parameter
        return json_response(body, status=self.status)


def json_response(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(view):
    """GET and HEAD answered by `view` (an ApiError becomes its JSON error), OPTIONS by a CORS preflight answer,
    anything else by 405; every answer carries the CORS headers. No CSRF check: nothing is ever written."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = ApiError(
                405, f"Cette API est en lecture seule : {request.method} n’est pas permis, utilisez GET."
            ).response()
        else:
            try:
                response = view(request, *args, **kwargs)
            except ApiError as error:
                response = error.response()
        if request.method not in ("GET", "HEAD"):
            response["Allow"] = ALLOWED_METHODS
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def positive_integer(request, name, default, maximum=None):
    """The query parameter `name` as an integer ≥ 1 (≤ `maximum`), `default` when absent; else a 400."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not POSITIVE_INTEGER.fullmatch(raw) or int(raw) < 1:
        shown = raw[:20].replace("\x00", "")
        raise ApiError(400, f"{name} : « {shown} » n’est pas un nombre entier positif ; donnez 1, 2, 3…", name)
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ApiError(400, f"{name} : {value} dépasse le maximum de {maximum} ; donnez {maximum} au plus.", name)
    return value


def paginated(request, queryset, serialize_page, **extra):
    """{count, next, previous, **extra, results} for the `page` and `page_size` query parameters; `results` is
    `serialize_page(the page's slice of queryset)`.

    `queryset` must be ordered down to a unique key, so that pages neither overlap nor skip a row."""
    number = positive_integer(request, "page", 1)
    size = positive_integer(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    paginator = Paginator(queryset, size)
    if number > paginator.num_pages:
        pages = paginator.num_pages
        raise ApiError(
            404,
            f"page : la page {number} n’existe pas, il y a {pages} page{'s' if pages > 1 else ''} "
            f"de {size} résultats au plus.",
            "page",
        )
    page = paginator.page(number)

    def page_url(other):
        params = request.GET.copy()
        params["page"] = str(other)
        return request.build_absolute_uri(request.path) + "?" + params.urlencode()

    return {
        "count": paginator.count,
        "next": page_url(number + 1) if page.has_next() else None,
        "previous": page_url(number - 1) if page.has_previous() else None,
        **extra,
        "results": serialize_page(page.object_list),
    }
