"""Peak memory of the open-data exports (CSV, XLSX, JSON) against the number of rows: it should stay flat.

    # 1,000 / 10,000 / 100,000 rows:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export_memory.py
    DATABASE_URL=… .venv/bin/python bench/export_memory.py --sizes 1000 10000 --formats csv json

Run by hand, never by the test suite. Builds a throwaway database (a `fcsf_bench_<pid>` database next to
DATABASE_URL's, dropped at the end), imports --seed generated fiches with the
real `import_fiches` command (bench/generate_fiches.py), then grows the catalogue to each size by copying those
actions in SQL (new titles and slugs, same text and lists; much faster than importing 100,000 fiches, and the
export reads the same kind of rows).

Each measure runs in a fresh Python process: Django is set up, a first export that matches nothing warms imports
and caches, the peak resident memory is reset (Linux `clear_refs`) and the resident memory read, then the whole
catalogue is requested through Django's test client (the real URL, view, middleware and streaming response) and
its body consumed chunk by chunk without keeping it. Reported: bytes, seconds, resident memory before, its peak
during the export (VmHWM), and their difference. `--tracemalloc` adds the peak of Python allocations during the
request (slower). The baseline « tablib » row is django-import-export's own export (the admin's), which builds
the whole file in memory: what the streamed exports avoid.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

URLS = {"csv": "/actions/export.csv", "xlsx": "/actions/export.xlsx", "json": "/actions/export.json"}
NOTHING = "?q=aucuneactionneressembleaceci"


def _status_mb(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} missing from /proc/self/status")


def current_rss_mb():
    return _status_mb("VmRSS:")


def reset_peak_rss():
    """Linux ≥ 4.0: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def peak_rss_mb():
    return _status_mb("VmHWM:")


# ── one measure, in its own process ────────────────────────────────────────────────────────────────────────


def measure(export_format, use_tracemalloc):
    import django

    django.setup()
    from django.test import Client

    client = Client()
    if export_format == "tablib":
        from actions.admin import ActionResource
        from actions.exports import MANY_RELATED, ONE_RELATED
        from actions.models import Action

        def run(nothing=False):  # what the admin's export does (ActionAdmin.get_export_queryset)
            queryset = (
                Action.objects.published()
                .select_related("structure__departement", *ONE_RELATED)
                .prefetch_related(*MANY_RELATED)
            )
            if nothing:
                queryset = queryset.none()
            return len(ActionResource().export(queryset).csv.encode("utf-8"))
    else:

        def run(nothing=False):
            response = client.get(URLS[export_format] + (NOTHING if nothing else ""))
            assert response.status_code == 200, response.status_code
            chunks = response.streaming_content if response.streaming else [response.content]
            size = sum(len(chunk) for chunk in chunks)
            response.close()
            return size

    run(nothing=True)
    reset_peak_rss()
    before = current_rss_mb()
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    traced = None
    if use_tracemalloc:
        traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    from actions.models import Action

    print(
        json.dumps(
            {
                "rows": Action.objects.published().count(),
                "bytes": size,
                "seconds": seconds,
                "rss_before": before,
                "rss_peak": peak_rss_mb(),
                "tracemalloc_peak": traced,
            }
        )
    )


# ── the catalogue ──────────────────────────────────────────────────────────────────────────────────────────


def seed(count):
    from django.core.management import call_command

    from bench.generate_fiches import generate, write_files

    folder = Path(tempfile.mkdtemp(prefix="fcsf-bench-export-"))
    paths = write_files(generate(count, seed=0), folder)
    call_command("import_fiches", *map(str, paths), stdout=io.StringIO(), stderr=io.StringIO())


def grow_to(size, copies_made):
    """Copies the seed actions (ids up to the seed's last) in SQL until the catalogue holds `size` of them."""
    from django.db import connection, transaction

    from actions.models import Action

    table = Action._meta.db_table
    originals = Action.objects.exclude(titre__contains=" (copie ")
    seed_last = originals.order_by("-pk").values_list("pk", flat=True)[0]
    seed_count = originals.count()
    columns = [field.column for field in Action._meta.concrete_fields if not field.primary_key]
    quoted = connection.ops.quote_name
    copy = copies_made
    while Action.objects.count() < size:
        copy += 1
        missing = size - Action.objects.count()
        limit = min(seed_count, missing)
        expressions = [
            f"{quoted(column)} || ' (copie {copy})'"
            if column == "titre"
            else f"{quoted(column)} || '-c{copy}'"
            if column == "slug"
            else quoted(column)
            for column in columns
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(map(quoted, columns))}) "
                f"SELECT {', '.join(expressions)} FROM {table} WHERE id <= %s ORDER BY id LIMIT %s",
                [seed_last, limit],
            )
            for field in Action._meta.many_to_many:
                through = field.remote_field.through._meta
                target = field.m2m_reverse_name()
                cursor.execute(
                    f"INSERT INTO {through.db_table} (action_id, {target}) "
                    f"SELECT c.id, l.{target} FROM {through.db_table} l "
                    f"JOIN {table} o ON o.id = l.action_id "
                    f"JOIN {table} c ON c.slug = o.slug || '-c{copy}' "
                    "WHERE o.id <= %s",
                    [seed_last],
                )
    return copy


def run_child(export_format, env, use_tracemalloc):
    command = [sys.executable, __file__, "--child", export_format]
    if use_tracemalloc:
        command.append("--tracemalloc")
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode:
        raise SystemExit(f"{export_format} : échec de la mesure\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Mémoire des exports CSV, XLSX et JSON selon le nombre de lignes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "json", "xlsx"], choices=[*URLS, "tablib"])
    parser.add_argument("--seed", type=int, default=1_000, help="fiches importées avant copie (défaut : 1000)")
    parser.add_argument("--baseline-max", type=int, default=10_000, help="export tablib mesuré jusqu’à cette taille")
    parser.add_argument("--tracemalloc", action="store_true", help="mesure aussi le pic d’allocations Python")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcsf_actions.settings.base")
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["RATELIMIT_ENABLED"] = "0"
    if args.child:
        measure(args.child, args.tracemalloc)
        return

    from bench.import_throughput import admin, database_urls

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL doit désigner un serveur PostgreSQL (postgres://…).")
    name = f"fcsf_bench_{os.getpid()}"
    bench_url, server = database_urls(url, name)
    admin(server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    results = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:  # the search document is not exported: skip building it
            cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            for (table,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        started = time.perf_counter()
        seed(args.seed)
        seconds = time.perf_counter() - started
        print(f"{args.seed} fiches importées en {seconds:.1f} s", flush=True)
        copies = 0
        for size in sorted(args.sizes):
            started = time.perf_counter()
            copies = grow_to(size, copies)
            print(f"catalogue porté à {size} actions en {time.perf_counter() - started:.1f} s", flush=True)
            connection.close()
            baseline = size <= args.baseline_max and "tablib" not in args.formats
            formats = [*args.formats, *(["tablib"] if baseline else [])]
            for export_format in formats:
                result = run_child(export_format, dict(os.environ), args.tracemalloc)
                result["format"] = export_format
                results.append(result)
                growth = result["rss_peak"] - result["rss_before"]
                traced = f", tracemalloc {result['tracemalloc_peak']:.1f} Mo" if args.tracemalloc else ""
                print(
                    f"  {export_format:6} {result['rows']:>7} lignes {result['bytes'] / 1e6:8.1f} Mo "
                    f"{result['seconds']:6.1f} s  RSS {result['rss_before']:.0f} → {result['rss_peak']:.0f} Mo "
                    f"(+{growth:.1f}){traced}",
                    flush=True,
                )
    finally:
        from django.db import connections

        connections.close_all()
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print()
    header = "| format | lignes | taille (Mo) | secondes | RSS avant (Mo) | RSS pic (Mo) | hausse (Mo) |"
    if args.tracemalloc:
        header += " pic tracemalloc (Mo) |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.tracemalloc else ""))
    for result in results:
        line = (
            f"| {result['format']} | {result['rows']:,} | {result['bytes'] / 1e6:.1f} | {result['seconds']:.1f} | "
            f"{result['rss_before']:.0f} | {result['rss_peak']:.0f} | {result['rss_peak'] - result['rss_before']:.1f} |"
        )
        if args.tracemalloc:
            line += f" {result['tracemalloc_peak']:.1f} |"
        print(line.replace(",", "\u202f"))


if __name__ == "__main__":
    main()
