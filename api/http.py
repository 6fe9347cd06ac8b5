"""What every API answer shares: JSON errors in French naming the parameter, CORS, read-only, pages.

An error is `{"erreur": "what is wrong and what to do", "parametre": "page_size"}` (`parametre` when a query
parameter is at fault), the same shape as the rate limiter's 429 (fcsf_actions/ratelimit.py).
"""

import functools
import re
from typing import Annotated

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from ninja import Query
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Beyond any real catalogue (a million pages of 100 actions), and a bound the schema can state.
MAX_PAGE = 1_000_000
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

# Open to every origin, without credentials: the API serves public data only and reads no cookie.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Expose-Headers": "Retry-After, Location",
    "Access-Control-Max-Age": "86400",
}

DIGITS = re.compile(r"[0-9]+", re.ASCII)


class ApiError(Exception):
    def __init__(self, status, message, parameter=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def response(self):
        return error_response(self.status, self.message, self.parameter)


def error_response(status, message, parameter=None):
    body = {"erreur": message}
    if parameter:
        body["parametre"] = parameter
    return json_response(body, status=status)


def json_response(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def is_api(request):
    return request.path_info.startswith("/api/")


class CorsMiddleware:
    """Under /api/: the CORS headers on every answer, whoever made it (the API, the rate limiter's 429, the
    slash-appending redirect, a 500), and the preflight OPTIONS answered here, before the rate limiter counts
    it. Placed before fcsf_actions.ratelimit.RateLimitMiddleware in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED_METHODS
        else:
            response = self.get_response(request)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response


def read_only(view):
    """GET answered by `view`, HEAD too (the same answer, whose body the server drops), anything else by a
    French 405. Wraps the URL patterns of the API (api/urls.py)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "HEAD":
            request.method = "GET"
            try:
                return view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        if request.method != "GET":
            response = error_response(
                405, f"Cette API est en lecture seule : {request.method[:20]} n’est pas permis, utilisez GET."
            )
            response["Allow"] = ALLOWED_METHODS
            return response
        return view(request, *args, **kwargs)

    wrapper.csrf_exempt = True  # nothing is ever written
    return wrapper


# ── page parameters ────────────────────────────────────────────────────────────────────────────────────────


def page_parameter(name, maximum):
    """The type of the query parameter `name`: an integer from 1 to `maximum`, written in ASCII digits, and its
    declaration (default, bounds, description) for the document. The validator, run before the bounds are
    checked, refuses anything else in French."""

    def parse(raw):
        if isinstance(raw, int):  # the default
            return raw
        shown = str(raw)[:20].replace("\x00", "")
        if shown.strip() == "":
            raise PydanticCustomError(
                "page", f"{name} : la valeur est vide ; donnez un nombre entier de 1 à {maximum}, ou omettez {name}."
            )
        significant = raw.lstrip("0")
        if not DIGITS.fullmatch(raw) or not significant:
            raise PydanticCustomError(
                "page", f"{name} : « {shown} » n’est pas un nombre entier positif ; donnez 1, 2, 3…"
            )
        # Compared as text first: int() refuses numbers of more than 4,300 digits.
        if len(significant) > len(str(maximum)) or int(significant) > maximum:
            shown = significant if len(significant) <= 20 else significant[:20] + "…"
            raise PydanticCustomError(
                "page", f"{name} : {shown} dépasse le maximum de {maximum} ; donnez {maximum} au plus."
            )
        return int(significant)

    return Annotated[int, BeforeValidator(parse)]


PageNumber = page_parameter("page", MAX_PAGE)
PageSize = page_parameter("page_size", MAX_PAGE_SIZE)


def page_query():
    return Query(1, ge=1, le=MAX_PAGE, description=f"Numéro de page, de 1 à {MAX_PAGE}.")


def page_size_query():
    return Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Résultats par page, {MAX_PAGE_SIZE} au plus.")


def paginated(request, queryset, number, size, serialize_page, **extra):
    """{count, next, previous, **extra, results} for page `number` of `size` rows; `results` is
    `serialize_page(the page's slice of queryset)`.

    `queryset` must be ordered down to a unique key, so that pages neither overlap nor skip a row."""
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
