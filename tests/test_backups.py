"""Backups lose nothing: the portable catalogue copy, and pg_dump/pg_restore into a fresh database.

A round trip is judged by `fcsf_actions.backup.summary()`: rows and a SHA-256 of every column of every row,
per catalogue table."""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import Action, MotCle
from fcsf_actions.backup import catalogue_models, clear_catalogue, summary
from tests.actions.factories import ActionFactory
from tests.browser.conftest import reload_reference_data
from tests.databases import database_url
from tests.structures.factories import StructureFactory

ROOT = Path(__file__).resolve().parents[1]


def tricky_catalogue():
    """Actions whose content a careless copy would damage: microseconds, emoji, newlines, quotes, lists, states."""
    structure = StructureFactory(nom="Centre social « L’Îlot » — quartier Nord")
    moment = timezone.now().replace(microsecond=123456) - timedelta(days=3)
    actions = [
        ActionFactory(
            titre=f"Action {number} : jardin 🌱 « partagé »",
            structure=structure,
            resume='Ligne 1\nLigne 2\r\n\ttabulée "guillemets" \\ barre',
            state=state,
            mots_cles=["Jardin", "Écologie", f"Mot {number}"],
        )
        for number, state in enumerate(Action.State.values)
    ]
    Action.objects.filter(pk=actions[0].pk).update(created_at=moment, version=7)
    MotCle.objects.create(libelle="Mot sans action")
    return actions


def test_catalogue_tables():
    labels = {model._meta.label_lower for model in catalogue_models()}
    assert {"actions.action", "actions.action_mots_cles", "structures.structure", "structures.departement"} <= labels
    assert not {"actions.historicalaction", "actions.catalogueversion", "actions.cataloguechange", "auth.user"} & labels


@pytest.mark.django_db
def test_portable_copy_round_trip_loses_nothing(tmp_path):
    tricky_catalogue()
    before = summary()
    assert before["actions.action"]["lignes"] == 4 and before["actions.action_mots_cles"]["lignes"] == 12
    copy = tmp_path / "catalogue.jsonl"
    out = io.StringIO()
    call_command("export_catalogue", str(copy), stdout=out)
    assert "empreinte" in out.getvalue()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no partial file left

    clear_catalogue()
    assert summary()["actions.action"]["lignes"] == 0
    call_command("import_catalogue", str(copy), stdout=io.StringIO())
    assert summary() == before


@pytest.mark.django_db
def test_import_refuses_to_replace_actions_unless_asked_and_a_bad_file_changes_nothing(tmp_path):
    tricky_catalogue()
    before = summary()
    copy = tmp_path / "catalogue.jsonl"
    call_command("export_catalogue", str(copy), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--remplacer"):
        call_command("import_catalogue", str(copy), stdout=io.StringIO())

    broken = tmp_path / "tronque.jsonl"
    lines = copy.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(lines[: len(lines) // 2]) + '\n{"model": "actions.action", "pk": ', encoding="utf-8")
    with pytest.raises(CommandError, match="import annulé, la base n’a pas changé"):
        call_command("import_catalogue", str(broken), "--remplacer", stdout=io.StringIO())
    assert summary() == before


# ── PostgreSQL: pg_dump / pg_restore into a fresh database ──────────────────────────────────────────────────


def run(command, **env):
    bin_dir = os.environ.get("FCSF_TEST_PGBIN", "/usr/lib/postgresql/15/bin")
    full_env = {**os.environ, "PGBIN": bin_dir, "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test", **env}
    return subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_scripts_round_trip(tmp_path, fresh_database):
    reload_reference_data()  # a transactional test starts from a flushed database
    tricky_catalogue()
    source = database_url()
    backup = run(["bash", "scripts/backup.sh", str(tmp_path)], DATABASE_URL=source)
    assert backup.returncode == 0, backup.stderr
    dumps = sorted(tmp_path.glob("*.dump"))
    assert len(dumps) == 1 and dumps[0].with_suffix(".jsonl").exists()
    expected = json.loads(dumps[0].with_suffix(".empreinte").read_text())
    assert expected == summary()

    restored = run(["bash", "scripts/restore.sh", str(dumps[0])], DATABASE_URL=database_url(fresh_database))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "identique à la sauvegarde" in restored.stdout
    # Not only the catalogue: accounts' tables and the history come back too (counts per table).
    counts = run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", COUNT_ALL_TABLES],
        DATABASE_URL=database_url(fresh_database),
    )
    assert counts.returncode == 0, counts.stderr
    assert json.loads(counts.stdout) == table_counts()

    # The portable copy, into the restored database (a PostgreSQL that already has a catalogue): same checksum.
    reloaded = run(
        [sys.executable, "manage.py", "import_catalogue", str(dumps[0].with_suffix(".jsonl")), "--remplacer"],
        DATABASE_URL=database_url(fresh_database),
    )
    assert reloaded.returncode == 0, reloaded.stderr
    check = run([sys.executable, "manage.py", "catalogue_checksum"], DATABASE_URL=database_url(fresh_database))
    assert json.loads(check.stdout) == expected


@pytest.mark.django_db
def test_restore_of_a_damaged_dump_changes_nothing(tmp_path, fresh_database):
    damaged = tmp_path / "abime.dump"
    damaged.write_bytes(b"PGDMP" + os.urandom(2000))
    result = run(["bash", "scripts/restore.sh", str(damaged)], DATABASE_URL=database_url(fresh_database))
    assert result.returncode == 2
    assert "la base n’a pas changé" in result.stderr


COUNT_ALL_TABLES = "import json; from tests.test_backups import table_counts; print(json.dumps(table_counts()))"


def table_counts():
    from django.apps import apps

    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
