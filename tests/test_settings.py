import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from fcsf_actions.settings.base import INSECURE_SECRET_KEY, check_production_safety, database_settings

LONG_KEY = "k" * 64


def test_local_defaults_are_accepted():
    check_production_safety(debug=True, secret_key=INSECURE_SECRET_KEY, allowed_hosts=["localhost", "127.0.0.1"])


@pytest.mark.parametrize(
    "debug,secret_key,message",
    [
        (True, LONG_KEY, "DEBUG"),
        (False, INSECURE_SECRET_KEY, "SECRET_KEY"),
        (False, "short", "SECRET_KEY"),
    ],
)
def test_public_hosts_refuse_unsafe_values(debug, secret_key, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check_production_safety(debug=debug, secret_key=secret_key, allowed_hosts=["actions.example.org"])


def test_public_hosts_with_safe_values_start():
    check_production_safety(debug=False, secret_key=LONG_KEY, allowed_hosts=["actions.example.org"])


def test_the_production_entry_point_refuses_to_start_with_the_default_key():
    env = {**os.environ, "ALLOWED_HOSTS": "actions.example.org", "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_production_entry_point_refuses_to_start_with_debug_on():
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "actions.example.org",
        "DEBUG": "1",
        "SECRET_KEY": LONG_KEY,
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DEBUG is on while ALLOWED_HOSTS names public hosts (actions.example.org)" in result.stderr


def test_only_postgresql_databases_are_accepted():
    with pytest.raises(ImproperlyConfigured, match="expected a PostgreSQL database") as refused:
        database_settings("mysql://moi:secret@db.example.org/actions")
    assert "secret" not in str(refused.value)
    assert database_settings("postgresql://u:p@db.example.org:5433/actions")["HOST"] == "db.example.org"


def test_without_database_url_the_projects_own_cluster_on_the_port_it_chose(tmp_path):
    assert database_settings("", local_pgdata=tmp_path)["PORT"] == 54329
    (tmp_path / "fcsf-port").write_text("41234\n")
    database = database_settings("", local_pgdata=tmp_path)
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        "127.0.0.1",
        41234,
        "fcsf",
        "postgres",
    )
