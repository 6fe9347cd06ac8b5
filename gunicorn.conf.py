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
max_requests = 2000  # recycle workers now and then: bounded memory over weeks
max_requests_jitter = 200
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "fcsf_actions.wsgi:application"
# No shared control socket in the home directory: several instances run side by side (scale-out, benches).
control_socket_disable = True
