"""Rate limiting of searches, exports and the API per client address (fcsf_actions/ratelimit.py)."""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from fcsf_actions.ratelimit import client_address, hit, parse_rate

RULES = [
    {"name": "recherche", "path": r"^/actions/$", "param": "q", "limit": 3, "window": 60},
    {"name": "exports", "path": r"^/(actions/export|statistiques/tableau)", "param": "", "limit": 2, "window": 60},
    {"name": "api", "path": r"^/api/", "param": "", "limit": 2, "window": 60},
]


@pytest.fixture
def limits(settings):
    settings.RATELIMITS = RULES
    cache.clear()
    yield
    cache.clear()


def get(client, url, address="203.0.113.5", **headers):
    return client.get(url, REMOTE_ADDR=address, **headers)


@pytest.mark.django_db
def test_searches_are_limited_per_address_with_a_french_page(client, limits):
    for number in range(3):
        assert get(client, f"/actions/?q=jardin{number}").status_code == 200
    refused = get(client, "/actions/?q=encore")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    html = refused.content.decode()
    assert "<h1>Trop de requêtes</h1>" in html and "3 au plus en 60 secondes" in html
    assert "Réessayez dans" in html
    # Another address is not affected; browsing the list without a search is not a search.
    assert get(client, "/actions/?q=jardin", address="198.51.100.7").status_code == 200
    assert get(client, "/actions/?dimension=citoyennete").status_code == 200
    assert get(client, "/actions/?q=+").status_code == 200
    assert get(client, "/").status_code == 200


@pytest.mark.django_db
def test_the_api_answers_429_in_json(client, limits):
    for _ in range(2):
        assert get(client, "/api/actions/").status_code != 429
    refused = get(client, "/api/actions/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["erreur"].startswith("Trop de requêtes : 2 au plus en 60 secondes")
    assert refused["Retry-After"]


@pytest.mark.django_db
def test_exports_share_one_budget(client, limits):
    statuses = [get(client, url).status_code for url in ["/actions/export.csv", "/statistiques/tableau.csv"] * 2]
    assert statuses[:2] != [429, 429] and statuses[2:] == [429, 429]


@pytest.mark.django_db
def test_health_check_is_never_limited(client, settings, limits):
    settings.RATELIMITS = [{"name": "tout", "path": r"^/", "param": "", "limit": 1, "window": 60}]
    assert all(get(client, "/sante/").status_code == 200 for _ in range(5))
    assert get(client, "/").status_code == 200
    assert get(client, "/").status_code == 429


@pytest.mark.django_db
def test_disabled(client, settings, limits):
    settings.RATELIMIT_ENABLED = False
    assert all(get(client, "/actions/?q=jardin").status_code == 200 for _ in range(5))


def test_windows_are_fixed_and_restart(limits):
    assert hit("k", 60, now=120.0) == (1, 60)
    assert hit("k", 60, now=150.5) == (2, 30)
    assert hit("k", 60, now=179.9) == (3, 1)
    assert hit("k", 60, now=180.0) == (1, 60)  # a new window
    assert hit("other", 60, now=150.0) == (1, 30)


def test_an_evicted_bucket_counts_again_from_one(limits, monkeypatch):
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)  # another process "created" it, then evicted
    assert hit("k", 60, now=0.0) == (1, 60)
    assert cache.get("ratelimit:k:60:0") == 1


@pytest.mark.parametrize(
    "remote,forwarded,proxies,expected",
    [
        ("203.0.113.5", "", 0, "203.0.113.5"),
        # Without a trusted proxy, X-Forwarded-For is the client's word: ignored.
        ("203.0.113.5", "1.2.3.4", 0, "203.0.113.5"),
        # One proxy: the address it appended (the last hop); what the client wrote before is ignored.
        ("10.0.0.2", "6.6.6.6, 198.51.100.9", 1, "198.51.100.9"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.3", 2, "198.51.100.9"),
        # Fewer hops than proxies: the header was not set by them.
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("10.0.0.2", "pas une adresse", 1, "pas une adresse"),
        # IPv6: one subscriber's /64 is one client; an IPv4-mapped address is its IPv4.
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "", 0, "203.0.113.5"),
        ("", "", 0, "inconnue"),
    ],
)
def test_client_address(remote, forwarded, proxies, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request, proxies) == expected


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_budget(client, settings, limits):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    for _ in range(3):
        get(client, "/actions/?q=a", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert get(client, "/actions/?q=a", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Same proxy, another client; a client forging an earlier hop stays itself.
    assert get(client, "/actions/?q=a", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    forged = get(client, "/actions/?q=a", address="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1")
    assert forged.status_code == 429


@pytest.mark.parametrize("text,expected", [("30/60", (30, 60)), ("1/1", (1, 1))])
def test_parse_rate(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["30", "30/0", "a/b", "0/60", "1/2/3"])
def test_parse_rate_refuses_nonsense(text):
    with pytest.raises(ValueError, match="REQUESTS/SECONDS|at least 1"):
        parse_rate(text)


def test_bad_rate_in_env_stops_the_start():
    env = {**os.environ, "RATELIMIT_RECHERCHE": "beaucoup", "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "REQUESTS/SECONDS" in result.stderr
