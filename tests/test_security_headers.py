"""Security headers and cookies on every kind of response: pages, admin, API, errors, static files, 429."""

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.actions.factories import ActionFactory
from tests.test_fuzz_public import close_quietly

PRODUCTION_ENV = {
    "ALLOWED_HOSTS": "actions.example.org",
    "SECRET_KEY": "s" * 20 + "-production-key-for-the-deploy-check-only-" + "x" * 20,
    "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base",
}


def production_env(**extra):
    # Not what a deployment has: DEBUG, the test database, the browser tests' async switch (check.E001).
    unwanted = {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in unwanted}
    return {**env, **PRODUCTION_ENV, **extra}


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_csp(response, admin=False):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["font-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert directives[name][0] == "'self'"
        # Only the request's own nonce may come in addition, and under /admin/ the hash of Django's own <style>
        # elements; never 'unsafe-inline' or another origin.
        allowed = ("'nonce-", "'sha256-") if admin and name == "style-src" else ("'nonce-",)
        assert all(source.startswith(allowed) for source in directives[name][1:]), directives[name]


def assert_security_headers(response, *, hsts=True, admin=False):
    assert_strict_csp(response, admin)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]
    if hsts:
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        return super().generic(*args, **{**kwargs, "secure": True})


@pytest.fixture
def https(settings):
    """The production values of the HTTPS settings (see test_production_settings_values), over HTTPS."""
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    return HttpsClient()


@pytest.fixture
def published(db):
    return ActionFactory(titre="Un jardin partagé")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/actions/",
        "/actions/?q=jardin&page=2",
        "/donnees-ouvertes/",
        "/departements/49/",
        "/une-page-qui-n-existe-pas/",
        "/actions/une-action-inconnue/",
        "/api/",
        "/static/css/site.css",
        "/sante/",
    ],
)
def test_public_responses_carry_every_header(https, published, url):
    response = https.get(url)
    if response.streaming:  # static files are streamed from an open file
        close_quietly(response)
    assert response.status_code in {200, 404}, url
    assert_security_headers(response)
    if response["Content-Type"].startswith("text/html"):
        assert response["X-Frame-Options"] == "DENY"


def test_detail_and_structure_pages(https, published):
    for url in (published.get_absolute_url(), reverse("structures:structure", args=[published.structure.slug])):
        response = https.get(url)
        assert response.status_code == 200
        assert_security_headers(response)


def test_plain_http_is_redirected_to_https_except_the_health_check(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/actions/?q=jardin")
    assert response.status_code == 301 and response["Location"] == "https://testserver/actions/?q=jardin"
    assert client.get("/sante/").status_code == 200


def test_health_check_answers_for_any_host_name(client, db):
    """A load balancer probes an instance by its address, which is not in ALLOWED_HOSTS."""
    assert client.get("/actions/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    response = client.get("/sante/", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response.json() == {"statut": "ok", "base": "ok"}


@pytest.mark.django_db
def test_admin_pages_and_cookies(https):
    login_page = https.get(reverse("admin:login"))
    assert login_page.status_code == 200
    assert_security_headers(login_page, admin=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"

    User.objects.create_superuser("admin", "admin@example.org", "un-mot-de-passe-solide-2026")
    logged_in = https.post(
        reverse("admin:login"), {"username": "admin", "password": "un-mot-de-passe-solide-2026", "next": "/admin/"}
    )
    assert logged_in.status_code == 302
    session = logged_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"

    for name in ("admin:index", "admin:actions_action_changelist", "admin:actions_action_add"):
        response = https.get(reverse(name))
        assert response.status_code == 200, name
        assert_security_headers(response, admin=True)


def test_rate_limited_responses_carry_the_headers_too(https, settings, db):
    settings.RATELIMITS = [{"name": "recherche", "path": r"^/actions/$", "param": "q", "limit": 1, "window": 60}]
    https.get("/actions/?q=jardin")
    response = https.get("/actions/?q=jardin")
    assert response.status_code == 429
    assert_security_headers(response)


def test_the_admin_exception_is_the_hash_of_djangos_own_style_element(client, db):
    from fcsf_actions.middleware import admin_style_hashes

    assert len(admin_style_hashes()) == 1  # change_list.html's; a Django upgrade that adds one shows here
    admin_policy = csp_directives(client.get(reverse("admin:login")))["style-src"]
    public_policy = csp_directives(client.get("/"))["style-src"]
    assert admin_policy == ["'self'", *admin_style_hashes()] and public_policy == ["'self'"]


def test_public_templates_need_no_inline_script_or_style(client, published):
    """The strict policy allows no inline code: no page of ours has any (the nonce stays unused)."""
    for url in ("/", "/actions/?q=jardin", published.get_absolute_url()):
        response = client.get(url)
        html = response.content.decode()
        assert "<style" not in html and 'style="' not in html and " onclick=" not in html
        scripts = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:]]
        assert all(" src=" in attributes for attributes in scripts), scripts
        assert "'nonce-" not in response["Content-Security-Policy"]


def test_production_settings_values():
    """What `fcsf_actions.settings.base` gives a public host: HTTPS everywhere, secure cookies, HSTS for a year."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in "
        "['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
        "'SECURE_PROXY_SSL_HEADER', 'DEBUG']}))"
    )
    env = production_env(PROXY_SSL_HEADER="X-Forwarded-Proto")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout)
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DEBUG": False,
    }


def test_check_deploy_passes_without_a_single_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues (0 silenced)" in result.stdout


def test_an_operator_may_turn_preload_off_on_purpose():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(SECURE_HSTS_PRELOAD="0"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_reports_a_production_without_https():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr
