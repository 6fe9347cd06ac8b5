"""Test settings: deterministic and fast. The database still comes from DATABASE_URL."""

from fcsf_actions.settings.base import *  # noqa: F403
from fcsf_actions.settings.base import TEMPLATES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# An undefined variable in a template is a bug: make it visible in tests.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "!!MISSING %s!!"
# Serve static files from the finders: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Rate limits far out of reach (the middleware still runs); tests/test_ratelimit.py sets real ones.
RATELIMITS = [{**rule, "limit": 1_000_000} for rule in RATELIMITS]  # noqa: F405
# Every answer of the API checked against its model (api/views.py: `answer`), as under DEBUG.
API_CHECK_ANSWERS = True
