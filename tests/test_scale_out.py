"""Nothing assumes a single process: two app servers, one PostgreSQL, one Redis.

Two gunicorn instances on two ports serve the same database and share a Redis cache (CACHE_URL). A session opened
on one is valid on the other (sessions are in the database), and a publish made through one instance's admin, or
a raw SQL write, is counted at once by the other (cached pages are keyed by the catalogue version, which the
database's triggers move).
"""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from actions.models import Action
from tests.actions.factories import ActionFactory
from tests.browser.conftest import reload_reference_data
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "un mot de passe assez long"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the server stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server).exists():
        pytest.fail("redis-server is missing: apt-get install redis-server (scripts/setup.sh installs it).")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Static files collected as in production (hashed names, compressed): the servers run with DEBUG off."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "STATIC_ROOT": str(root), "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    return root


@pytest.fixture
def two_instances(transactional_db, redis_url, static_root):
    """Two gunicorn servers on the test database (committed data: transactional test)."""
    reload_reference_data()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base",
        "DATABASE_URL": database_url(),
        "CACHE_URL": redis_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "the-same-long-secret-for-both-instances-" + "x" * 40,
        "RATELIMIT_ENABLED": "0",
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": "",
        "STATIC_ROOT": str(static_root),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append((f"http://127.0.0.1:{port}", process))
    try:
        for url, process in servers:
            wait_for(f"{url}/actions/", process)
        yield [url for url, _process in servers]
    finally:
        for _url, process in servers:
            process.terminate()
            process.wait(10)


def result_count(html):
    return int(re.search(r'id="result-count"[^>]*><strong>(\d+)</strong>', html).group(1))


def test_a_publish_on_one_instance_is_counted_at_once_by_the_other(two_instances, redis_url):
    first, second = two_instances
    published = ActionFactory(titre="Déjà publiée")
    draft = ActionFactory(titre="Bientôt publiée", structure=published.structure, state=Action.State.SOUMISE)
    # Hashed as the servers' settings expect (the test settings hash with MD5, which production refuses).
    password = PBKDF2PasswordHasher().encode(PASSWORD, "sel-de-test", iterations=1000)
    get_user_model().objects.create_superuser("federation", "federation@example.org", password=None)
    get_user_model().objects.filter(username="federation").update(password=password)

    jar = http.cookiejar.CookieJar()  # one browser: cookies are per host, not per port
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(url):
        with browser.open(url, timeout=20) as response:
            return response.geturl(), response.read().decode()

    def post(url, data):
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        with browser.open(request, timeout=20) as response:
            return response.geturl(), response.read().decode()

    assert result_count(get(f"{second}/actions/")[1]) == 1  # counted and cached by the second instance

    # Log in on the first instance; the session is valid on the second.
    get(f"{first}/admin/login/")
    where, _html = post(f"{first}/admin/login/", {"username": "federation", "password": PASSWORD, "next": "/admin/"})
    assert where.endswith("/admin/")
    where, html = get(f"{second}/admin/")
    assert where.endswith("/admin/") and "federation" in html

    # Publish the draft through the first instance's admin.
    changelist = f"{first}/admin/actions/action/"
    get(changelist)
    post(changelist, {"action": "publish", "_selected_action": draft.pk, "index": 0, "post": "yes"})
    draft.refresh_from_db()
    assert draft.state == Action.State.PUBLIEE

    # The second instance counts it at once, and shows it.
    _where, html = get(f"{second}/actions/")
    assert result_count(html) == 2 and "Bientôt publiée" in html

    # The pages live in the shared Redis: one entry per catalogue version and address (before and after the publish).
    import redis

    keys = redis.Redis.from_url(redis_url).keys("fcsf:*catalogue:*")
    assert len(keys) >= 2

    # A write without Django at all (raw SQL: no signal, no model code) is seen by both instances at once: the
    # database's triggers move the catalogue version (migration actions 0012).
    assert result_count(get(f"{first}/actions/")[1]) == 2  # cached by the first instance too
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_action SET titre = 'Renommée en SQL' WHERE id = %s", [draft.pk])
        cursor.execute("UPDATE actions_action SET state = 'archivee' WHERE id = %s", [published.pk])
    for instance in (first, second):
        _where, html = get(f"{instance}/actions/")
        assert result_count(html) == 1 and "Renommée en SQL" in html and "Déjà publiée" not in html
