"""`/sante/`: is this instance able to serve? For a load balancer or a monitoring probe.

Answered by a middleware placed right after SecurityMiddleware, before sessions, CSRF, locale and host
validation: a probe that calls an instance by its address (not by a name of ALLOWED_HOSTS) still gets an answer,
nothing is written (no session, no cookie), and the answer costs one `SELECT 1`. Not rate limited.

200 {"statut": "ok", "base": "ok"} when the database answers; 503 {"statut": "erreur", "base": "injoignable"}
otherwise, as fast as the connection attempt fails (see DB_CONNECT_TIMEOUT). The next request opens a new
connection: the site recovers by itself when the database is back.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("fcsf_actions.health")


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # Django closes the broken connection at the end of the request; the next one connects anew.
        logger.error("Base de données injoignable : %s", error)
        return False
    return True


def health(request):
    if database_ok():
        response = JsonResponse({"statut": "ok", "base": "ok"})
    else:
        response = JsonResponse({"statut": "erreur", "base": "injoignable"}, status=503)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == settings.HEALTH_CHECK_PATH and request.method in ("GET", "HEAD"):
            return health(request)
        return self.get_response(request)
