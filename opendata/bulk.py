"""Bulk files of the whole published catalogue: CSV, XLSX and JSON at stable addresses, with their date.

`manage.py publish_open_data` (cron, every minute) writes them into OPENDATA_ROOT when the catalogue version
moved since the last ones, never during a request, from one consistent snapshot of the database (REPEATABLE READ),
stamped with the catalogue version they show. Debounced: a run that finds a new version notes it (`attente.json`)
and waits; the next run writes the files if the version has not moved since (the catalogue was quiet for a whole
interval), or if the first change waiting is older than MAX_WAIT (a long import still gets its files).
`--sans-attendre` writes at once. Each file is written under a temporary name then renamed, and the
manifest (`manifest.json`: version, date, size and SHA-256 of each file) last: a reader sees the old set or the
new one, never half of one. A PostgreSQL advisory lock keeps two runs from writing at the same time.
Several app servers: give them one shared OPENDATA_ROOT (or run the command on each).
"""

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import catalogue
from actions import exports
from actions.models import Action

STEM = "actions-centres-sociaux"
KINDS = {
    # kind → media type
    "csv": exports.CSV_TYPE,
    "xlsx": exports.XLSX_TYPE,
    "json": exports.JSON_TYPE,
}
MANIFEST = "manifest.json"
PENDING = "attente.json"
MAX_WAIT = 15 * 60  # seconds: files at most this late after a change, however busy the catalogue
LOCK_KEY = 20_2026_0020  # pg advisory lock of publish_open_data


def root():
    return Path(settings.OPENDATA_ROOT)


def read_manifest():
    """The manifest of the current bulk files, None before the first run."""
    return _read_json(root() / MANIFEST)


def file_path(name):
    """The path of a current bulk file named `name`, None if there is none."""
    manifest = read_manifest()
    for kind, file in (manifest or {}).get("files", {}).items():
        if file["name"] == name:
            return root() / name, kind, file, manifest
    return None


def _absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def _write(path, chunks):
    with open(path, "wb") as out:
        for chunk in chunks:
            out.write(chunk)


def _write_files(directory):
    published = Action.objects.published().newest_first()
    _write(directory / f"{STEM}.csv", exports.csv_chunks(published, _absolute_url))
    _write(directory / f"{STEM}.json", exports.json_chunks(published, _absolute_url))
    with exports.xlsx_file(published, _absolute_url) as workbook, open(directory / f"{STEM}.xlsx", "wb") as out:
        shutil.copyfileobj(workbook, out)


def _digest(path):
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


def _read_json(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)


def should_wait(version, now):
    """Debounce: True while changes keep coming (see the module's docstring); notes `version` as waiting."""
    pending = _read_json(root() / PENDING) or {}
    first = pending.get("premier", now)
    if pending.get("version") == version or now - first >= MAX_WAIT:
        return False
    _write_json(root() / PENDING, {"version": version, "premier": first})
    return True


def publish(force=False, wait=True):
    """Writes the bulk files if the catalogue changed since the last ones (or `force`): (state, manifest), state
    "written", "up to date", "waiting" (debounce, see `should_wait`) or "busy" (another run holds the lock)."""
    outermost = not connection.in_atomic_block  # inside another transaction (tests), its snapshot is the one
    with transaction.atomic():
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                return "busy", read_manifest()
        version = catalogue.version()
        manifest = read_manifest()
        if manifest and manifest["version"] == version and not force:
            return "up to date", manifest
        if wait and not force and manifest and should_wait(version, time.time()):
            return "waiting", manifest
        directory = root()
        directory.mkdir(parents=True, exist_ok=True)
        work = directory / f".en-cours-{os.getpid()}"
        work.mkdir(exist_ok=True)
        try:
            _write_files(work)
            generated_at = timezone.now().replace(microsecond=0)
            files = {}
            for kind, mediatype in KINDS.items():
                name = f"{STEM}.{kind}"
                path = work / name
                files[kind] = {
                    "name": name,
                    "mediatype": mediatype,
                    "bytes": path.stat().st_size,
                    "sha256": _digest(path),
                }
            manifest = {
                "version": version,
                "generated_at": timezone.localtime(generated_at).isoformat(),
                "actions": Action.objects.published().count(),
                "files": files,
            }
            for file in files.values():
                os.replace(work / file["name"], directory / file["name"])
            _write_json(directory / MANIFEST, manifest)
            (directory / PENDING).unlink(missing_ok=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return "written", manifest
