"""`/sante/` (fcsf_actions/health.py) and the structured error logs (fcsf_actions/logging.py)."""

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import path

from fcsf_actions.logging import JsonFormatter, logging_config


@pytest.mark.django_db
def test_health_answers_ok_with_one_query_and_no_cookie(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok", "base": "ok"}
    assert [query["sql"] for query in queries] == ["SELECT 1"]
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/sante/").status_code == 200


@pytest.mark.django_db
def test_health_answers_503_fast_when_the_database_is_unreachable(client, monkeypatch):
    """A database that fails: 503 in JSON, at once (a real dead server below, a restart in test_faults.py)."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    started = time.monotonic()
    response = client.get("/sante/")
    elapsed = time.monotonic() - started
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json() == {"statut": "erreur", "base": "injoignable"}
    assert elapsed < 5
    assert client.get("/sante/").status_code == 200  # back as soon as the database is


def test_health_against_a_dead_port_answers_503():
    """A real server process whose DATABASE_URL points to a port where nothing listens."""
    code = (
        "import time, django; django.setup(); from django.test import Client; started = time.monotonic(); "
        "r = Client().get('/sante/'); print(r.status_code, r.content.decode()); print(time.monotonic() - started)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nulle",
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    answer, seconds = result.stdout.strip().splitlines()
    assert answer == '503 {"statut": "erreur", "base": "injoignable"}'
    assert float(seconds) < 5
    # The failure is logged (as one line of JSON when LOG_FORMAT=json).
    assert "Base de données injoignable" in result.stderr


# ── structured logs ───────────────────────────────────────────────────────────────────────────────────────────


def broken_view(request):
    raise ZeroDivisionError("division par zéro dans la vue")


urlpatterns = [path("casse/", broken_view)]


@pytest.fixture
def json_log():
    """The django.request logger writing through the JSON formatter into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_500_logs_one_json_line_with_path_status_and_exception(client, settings, json_log):
    settings.ROOT_URLCONF = "tests.test_health"
    client.raise_request_exception = False
    response = client.get("/casse/?x=1", HTTP_X_REQUEST_ID="abc123def456")
    assert response.status_code == 500
    lines = json_log.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["method"] == "GET" and entry["path"] == "/casse/" and entry["status"] == 500
    assert entry["request_id"] == "abc123def456" == response["X-Request-ID"]
    assert entry["exception"]["type"] == "builtins.ZeroDivisionError"
    assert entry["exception"]["message"] == "division par zéro dans la vue"
    assert "broken_view" in entry["exception"]["traceback"]


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced(client):
    response = client.get("/sante/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32


def test_log_format_from_the_environment():
    assert logging_config("json")["handlers"]["console"]["formatter"] == "json"
    assert logging_config("text")["handlers"]["console"]["formatter"] == "text"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml")


def test_a_real_process_logs_json_lines_on_stderr():
    """LOG_FORMAT=json, the settings' own logging config, a real 500: stderr holds one JSON object per line."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        "from django.test.utils import override_settings; "
        "c = Client(raise_request_exception=False); "
        "with_urls = override_settings(ROOT_URLCONF='tests.test_health'); with_urls.enable(); "
        "print(c.get('/casse/', HTTP_HOST='localhost').status_code)"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "500"
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert len(entries) == 1
    assert entries[0]["status"] == 500 and entries[0]["path"] == "/casse/"
    assert entries[0]["exception"]["type"] == "builtins.ZeroDivisionError"
