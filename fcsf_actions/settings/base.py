"""Settings read from environment variables.

Safe for local use by default. As soon as ALLOWED_HOSTS names a host that is not local, the site is
considered in production and refuses to start with an unsafe value (see `check_production_safety`).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from fcsf_actions.logging import logging_config
from fcsf_actions.ratelimit import parse_rate
from notifications.email_config import email_settings, site_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSECURE_SECRET_KEY = "django-insecure-local-only-never-use-in-production"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off.")


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def check_production_safety(*, debug, secret_key, allowed_hosts):
    public_hosts = [host for host in allowed_hosts if host not in LOCAL_HOSTS]
    if not public_hosts:
        return
    if debug:
        raise ImproperlyConfigured(
            f"DEBUG is on while ALLOWED_HOSTS names public hosts ({', '.join(public_hosts)}): set DEBUG=0."
        )
    if secret_key == INSECURE_SECRET_KEY or len(secret_key) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY is unset, the local default or shorter than 50 characters while ALLOWED_HOSTS names "
            "public hosts: set SECRET_KEY to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or INSECURE_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Production: a public host is served. HTTPS and the secure cookies then default to on (each can be set from env).
PRODUCTION = any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS)

INSTALLED_APPS = [
    "fcsf_actions.apps.FcsfAdminConfig",  # django.contrib.admin with the project's AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "structures",
    "actions",
    "catalogue",
    "accounts",
    "api",
    "statistiques",
    "notifications",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files get them too; the health check answers before anything else runs.
    "fcsf_actions.middleware.SecurityHeadersMiddleware",
    "fcsf_actions.middleware.CSPMiddleware",
    "fcsf_actions.health.HealthCheckMiddleware",
    # Before the rate limiter: its 429 under /api/ gets the CORS headers too (and preflights are not counted).
    "api.http.CorsMiddleware",
    "fcsf_actions.ratelimit.RateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Open data (API, feeds, exports, sitemap, statistics): ETag, Last-Modified, 304 before any session is read.
    "opendata.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fcsf_actions.urls"
WSGI_APPLICATION = "fcsf_actions.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_settings(url, local_pgdata=BASE_DIR / ".pgdata"):
    """The database of DATABASE_URL, PostgreSQL only. Without it, the project's own cluster (`make run`,
    scripts/postgres.sh) on the port it chose."""
    if not url:
        try:
            port = (local_pgdata / "fcsf-port").read_text().strip()
        except OSError:
            port = "54329"
        url = f"postgres://postgres@127.0.0.1:{port}/fcsf"
    database = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if database["ENGINE"] != "django.db.backends.postgresql":
        scheme = url.split(":", 1)[0]  # not the rest: it may hold a password
        raise ImproperlyConfigured(
            f"DATABASE_URL={scheme}:…: expected a PostgreSQL database, postgres://user:password@host:port/name "
            "(unset, `make run` starts the project's own PostgreSQL in .pgdata/)."
        )
    # A database that does not answer fails a request in seconds instead of hanging a worker.
    database.setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    return database


DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for all processes when CACHE_URL names a Redis server (redis://host:6379/0): several app servers then
# share cached counts and rate-limit counters. Without it, each process keeps its own (correct too: cached counts
# are keyed by a version read from the database, see catalogue/). Sessions live in the database.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: expected redis://host:port/db, rediss://… or unix://….")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "fcsf"}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fcsf",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login brute-force protection (django-axes): 5 failures for one username from one address lock it for an hour;
# accounts/throttle.py adds a growing delay per account across addresses and a limit per address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LoginThrottleBackend",  # per account across addresses, per address (accounts/throttle.py)
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False

# Back-office history (django-simple-history): changes are listed, never reverted from the history page
# (a revert would skip the workflow rules of accounts.perms).
SIMPLE_HISTORY_REVERT_DISABLED = True
# Imports (django-import-export): one transaction, the whole file or nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# ── Security: HTTPS, cookies, headers (README « Sécurité en production ») ─────────────────────────────────────
# Behind a reverse proxy that terminates HTTPS: PROXY_SSL_HEADER names the header it sets to "https"
# (e.g. X-Forwarded-Proto). Never set it without such a proxy: a client could then claim HTTPS itself.
if os.environ.get("PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["PROXY_SSL_HEADER"].upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
HEALTH_CHECK_PATH = "/sante/"
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]  # a load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Choices an operator makes on purpose (README) are not reported by `check --deploy` as forgotten ones.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# Content-Security-Policy (django-csp): nothing inline without the request's nonce, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
)

# Rate limits per client address (fcsf_actions/ratelimit.py), « REQUESTS/SECONDS » from env.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
RATELIMIT_TRUSTED_PROXIES = int(os.environ.get("RATELIMIT_TRUSTED_PROXIES", "0"))
# Messages of the « Contacter la structure » form (structures/contact.py), per client address.
RATELIMIT_CONTACT_RATE = os.environ.get("RATELIMIT_CONTACT", "5/3600")
RATELIMITS = [
    {"name": name, "path": path, "param": param, "limit": limit, "window": window}
    for name, path, param, (limit, window) in [
        ("recherche", r"^/actions/$", "q", parse_rate(os.environ.get("RATELIMIT_RECHERCHE", "60/60"))),
        (
            "exports",
            r"^/(actions/export|statistiques/tableau)",
            "",
            parse_rate(os.environ.get("RATELIMIT_EXPORTS", "10/60")),
        ),
        ("api", r"^/api/", "", parse_rate(os.environ.get("RATELIMIT_API", "120/60"))),
        # Login and password-reset requests per address, whatever the outcome (failures: accounts/throttle.py).
        ("connexion", r"^/admin/login/$", "", parse_rate(os.environ.get("RATELIMIT_CONNEXION", "30/300"))),
        (
            "mot_de_passe",
            r"^/admin/(password_reset|reset)/",
            "",
            parse_rate(os.environ.get("RATELIMIT_MOT_DE_PASSE", "10/900")),
        ),
    ]
]

# ── E-mail notifications (notifications/, README « Courriels ») ─────────────────────────────────────────────
# The SMTP server from EMAIL_URL (smtp://user:password@host:587/?tls=1, console://) or EMAIL_HOST, EMAIL_PORT…
_email = email_settings(os.environ)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL") or "Fiches action des centres sociaux <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails are absolute: the site's public address, without a trailing slash (by default, in production,
# HTTPS on the first public host named in ALLOWED_HOSTS).
_named_hosts = [host for host in ALLOWED_HOSTS if host not in LOCAL_HOSTS and not host.startswith((".", "*"))]
SITE_URL = site_url(
    os.environ.get("SITE_URL") or (f"https://{_named_hosts[0]}" if _named_hosts else "http://127.0.0.1:8000")
)
# The outbox (notifications/outbox.py): a failed message is tried again after EMAIL_RETRY_DELAY seconds, then
# twice as long each time (1 min, 2, 4… about 8½ hours for 10 attempts), then given up and reported.
EMAIL_MAX_ATTEMPTS = _email["EMAIL_MAX_ATTEMPTS"]
EMAIL_RETRY_DELAY = _email["EMAIL_RETRY_DELAY"]

# Logs on stderr: LOG_FORMAT=json for one JSON object per line (fcsf_actions/logging.py), text otherwise.
LOGGING = logging_config(os.environ.get("LOG_FORMAT", "text"), os.environ.get("LOG_LEVEL", "WARNING"))

check_production_safety(debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS)

# Open data: the bulk files of the whole catalogue (manage.py publish_open_data) and who answers reusers.
OPENDATA_ROOT = Path(os.environ.get("OPENDATA_ROOT") or BASE_DIR / "var" / "donnees-ouvertes")
OPENDATA_CONTACT = os.environ.get("OPENDATA_CONTACT", "")
