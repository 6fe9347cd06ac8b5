"""gunicorn settings for production (scripts/serve.sh). Each value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: the pages are short and CPU-bound; 2 per core plus one is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A stuck request frees its worker after this; long enough for a streamed download of the whole catalogue
# (100,000 actions: 30–45 s in CSV/JSON, about 2.5 min in XLSX, see bench/README.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "180"))
graceful_timeout = 20
keepalive = 5
# Worker recycling is off by default: under load, a worker leaving at max_requests resets a few connections
# (measured with bench/load_run.sh: 24 errors in 17,000 requests at 2,000; gunicorn issues #2567, #3038).
# Set GUNICORN_MAX_REQUESTS behind a proxy that retries if a worker's memory ever grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "fcsf_actions.wsgi:application"
# No shared control socket in the home directory: several instances run side by side (scale-out, benches).
control_socket_disable = True


def post_worker_init(worker):
    """Each worker loads what the public pages keep in memory before its first request, not during it."""
    from django.db import connections

    try:
        import catalogue

        catalogue.warm_up()
    except Exception:  # e.g. the database not reachable yet: the first request will load it instead
        worker.log.exception("Préchargement du catalogue impossible : la première requête s’en chargera.")
    finally:
        connections.close_all()
