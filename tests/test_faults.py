"""Faults injected into the real PostgreSQL, the throwaway cluster of scripts/test.sh.

1. The import's database connection is killed half-way (pg_terminate_backend from another connection): the import
   fails cleanly, nothing of the file is written, and running it again finishes the job, once.
2. PostgreSQL stops while gunicorn serves: pages answer errors (503 for /sante/, 500 elsewhere) at once, never
   hang; once PostgreSQL is back, the same worker processes serve again, without a restart.

The second test needs the cluster's data directory: scripts/test.sh exports FCSF_TEST_PGDATA and FCSF_TEST_PGBIN.
"""

import io
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection

from actions.fiches.loader import load_bytes, load_parsed
from actions.management.commands import import_fiches
from actions.models import Action
from bench.generate_fiches import generate, render_files
from fcsf_actions.backup import summary
from tests.actions.factories import ActionFactory
from tests.browser.conftest import reload_reference_data
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.django_db(transaction=True)


def kill_backend(pid):
    """pg_terminate_backend from another connection, and wait until the backend is gone."""
    with psycopg.connect(database_url(), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still alive")


@pytest.fixture
def export_file():
    reload_reference_data()  # a transactional test starts from a flushed database
    fiches = generate(80, seed=11, structures=12)
    return render_files(fiches, per_file=80)[0].encode()


def killer_at(fiche_number):
    """A progress callback that kills its own connection's backend once `fiche_number` fiches are compared (the
    file's structures and new vocabulary entries are already written in its transaction by then)."""
    calls = []

    def progress(done, total):
        calls.append(done)
        if done == fiche_number:
            kill_backend(connection.connection.info.backend_pid)

    progress.calls = calls
    return progress


def test_connection_killed_during_an_import_writes_nothing_and_a_rerun_completes(export_file):
    before = summary()
    progress = killer_at(40)
    with pytest.raises(DatabaseError):
        load_bytes(export_file, "export.txt", progress=progress)
    assert 40 in progress.calls
    connection.close()
    assert summary() == before  # not one structure, vocabulary entry or action of the file

    report = load_bytes(export_file, "export.txt")
    assert not report.refused and report.created == 80
    again = load_bytes(export_file, "export.txt")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 80)
    assert Action.objects.count() == 80


def test_the_import_command_reports_a_lost_connection_and_goes_on(export_file, tmp_path, monkeypatch):
    first, second = tmp_path / "1-coupe.txt", tmp_path / "2-suivant.txt"
    first.write_bytes(export_file)
    second.write_text(render_files(generate(5, seed=12, structures=2), per_file=5)[0], encoding="utf-8")
    killed = []

    def load_and_kill_the_first(parsed, name, **kwargs):
        if not killed:
            killed.append(name)
            kwargs["progress"] = killer_at(10)
        return load_parsed(parsed, name, **kwargs)

    monkeypatch.setattr(import_fiches, "load_parsed", load_and_kill_the_first)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 fichier\\(s\\) refusé\\(s\\) sur 2") as raised:
        call_command("import_fiches", str(tmp_path), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert "1-coupe.txt:1: La connexion à la base de données a été perdue pendant l’import" in err.getvalue()
    assert "1-coupe.txt : REFUSÉ, rien n’a été écrit" in out.getvalue()
    assert "2-suivant.txt : 5 fiche(s) — 5 créée(s)" in out.getvalue()  # the next file had a new connection
    assert Action.objects.count() == 5

    monkeypatch.undo()
    call_command("import_fiches", str(tmp_path), stdout=(out := io.StringIO()), stderr=io.StringIO())
    assert "80 créée(s)" in out.getvalue() and "5 inchangée(s)" in out.getvalue()


# ── PostgreSQL restarted under a running site ───────────────────────────────────────────────────────────────


def cluster():
    data, bin_dir = os.environ.get("FCSF_TEST_PGDATA"), os.environ.get("FCSF_TEST_PGBIN")
    if not data or not bin_dir:
        pytest.fail("FCSF_TEST_PGDATA/FCSF_TEST_PGBIN unset: run the tests through scripts/test.sh.")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    return data, bin_dir, as_postgres


def pg_ctl(*args):
    data, bin_dir, as_postgres = cluster()
    subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-w", *args], check=True, capture_output=True)


def start_postgres():
    """Start again with the very options it was started with (port, socket directory…)."""
    data, _bin, _as = cluster()
    options = shlex.split(Path(data, "postmaster.opts").read_text())[1:]
    pg_ctl("-l", f"{data}/server.log", "-o", shlex.join(options), "start")


def get(url, timeout=15):
    """(status, seconds): an error status is an answer too; a hang fails the test through the timeout."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid):
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return sorted(result.stdout.split())


@pytest.fixture
def site():
    reload_reference_data()
    action = ActionFactory(titre="Un jardin partagé")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test",
        "DATABASE_URL": database_url(),
        "DB_CONNECT_TIMEOUT": "3",
        "CONN_MAX_AGE": "600",  # persistent connections: the ones a restart breaks
    }
    server = subprocess.Popen(
        [BIN / "gunicorn", "fcsf_actions.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2", "-t", "30"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(f"{base}/sante/", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield base, action, server
    server.terminate()
    server.wait(20)


@pytest.mark.serial  # stops the whole cluster: scripts/test.sh runs it alone, after the parallel phase
def test_postgresql_restart_under_load_errors_briefly_then_recovers_without_restarting_the_site(site):
    base, action, server = site
    detail = f"{base}{action.get_absolute_url()}"
    for _ in range(6):  # every worker holds a persistent connection
        assert get(f"{base}/actions/")[0] == 200 and get(detail)[0] == 200
    workers = children(server.pid)
    assert len(workers) == 2

    pg_ctl("-m", "fast", "stop")
    try:
        down = [get(f"{base}/sante/"), get(f"{base}/actions/"), get(detail), get(f"{base}/sante/")]
    finally:
        start_postgres()
    assert [status for status, _seconds in down] == [503, 500, 500, 503]
    assert max(seconds for _status, seconds in down) < 5  # errors at once, no worker stuck

    recovered_after = None
    started = time.monotonic()
    while time.monotonic() - started < 20:
        if get(f"{base}/sante/")[0] == 200 and get(f"{base}/actions/")[0] == 200 and get(detail)[0] == 200:
            recovered_after = time.monotonic() - started
            break
        time.sleep(0.2)
    assert recovered_after is not None, "the site did not recover within 20 s"
    if os.environ.get("FAULTS_REPORT"):
        print(f"\nPostgreSQL down: {down}; recovered {recovered_after:.2f} s after its restart")
    for _ in range(6):
        assert get(f"{base}/actions/")[0] == 200
    assert server.poll() is None and children(server.pid) == workers  # same processes: nothing restarted
    connection.close()  # this test's own connection died with the server
