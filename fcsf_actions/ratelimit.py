"""Per-client rate limiting of the costly public requests (search, exports, API), in Django's cache.

Rules come from `settings.RATELIMITS`: a name, a path regex, optionally a query parameter that must be non-empty
for the rule to apply (a search is `/actions/?q=…`, not any list page), a number of requests and a window in
seconds. Counting uses fixed windows, with `cache.add` then `cache.incr`, both atomic in every shared cache
backend (Redis, Memcached, the database): all processes and servers share the count, whatever the cache is.

The client is REMOTE_ADDR, or, behind `RATELIMIT_TRUSTED_PROXIES` reverse proxies that each append to
X-Forwarded-For, the address the outermost of them saw (earlier hops can be forged by the client). IPv6
clients are counted per /64, the block a single subscriber usually gets.

Over the limit: 429 with Retry-After, a French JSON body `{"erreur": …}` under /api/ (where api.http.CorsMiddleware,
placed before this one, adds the CORS headers so that a browser client can read Retry-After), a French page
elsewhere.
"""

import ipaddress
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Rule:
    name: str
    path: re.Pattern
    limit: int
    window: int  # seconds
    param: str = ""  # if set, the rule applies only when this query parameter is non-empty

    def applies_to(self, request):
        if not self.path.search(request.path_info):
            return False
        return not self.param or any(value.strip() for value in request.GET.getlist(self.param))


def parse_rate(text):
    """« 30/60 » → (30, 60): 30 requests per 60 seconds."""
    try:
        limit, window = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"{text!r}: expected REQUESTS/SECONDS, e.g. 30/60.") from None
    if limit < 1 or window < 1:
        raise ValueError(f"{text!r}: both numbers must be at least 1.")
    return limit, window


def client_address(request, trusted_proxies=0):
    """The client's address as a rate-limit key (an IPv6 client's /64 block)."""
    address = request.META.get("REMOTE_ADDR", "")
    if trusted_proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            address = hops[-trusted_proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "inconnue"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def hit(key, window, now=None):
    """Counts one request for `key` in the current window: (count so far, seconds until the window ends)."""
    now = time.time() if now is None else now
    index = int(now // window)
    bucket = f"ratelimit:{key}:{window}:{index}"
    # +1 s so that a bucket never expires before its window is over.
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count, max(1, math.ceil((index + 1) * window - now))


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def rules():
        # Read at each request (compiled patterns are cached by `re`): settings overridden in tests apply.
        return [
            Rule(
                name=rule["name"],
                path=re.compile(rule["path"]),
                limit=rule["limit"],
                window=rule["window"],
                param=rule.get("param", ""),
            )
            for rule in settings.RATELIMITS
        ]

    def __call__(self, request):
        if settings.RATELIMIT_ENABLED:
            for rule in self.rules():
                if not rule.applies_to(request):
                    continue
                client = client_address(request, settings.RATELIMIT_TRUSTED_PROXIES)
                count, retry_after = hit(f"{rule.name}:{client}", rule.window)
                if count > rule.limit:
                    return too_many_requests(request, rule, retry_after)
        return self.get_response(request)


def too_many_requests(request, rule, retry_after):
    message = (
        f"Trop de requêtes : {rule.limit} au plus en {rule.window} secondes depuis votre adresse. "
        f"Réessayez dans {retry_after} seconde{'s' if retry_after > 1 else ''}."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"erreur": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "429.html", {"message": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
