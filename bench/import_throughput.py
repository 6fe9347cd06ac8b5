"""Throughput of `import_fiches` on PostgreSQL: first import, unchanged re-import, edited re-import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_throughput.py --count 10000

Run by hand, never by the test suite. DATABASE_URL names a PostgreSQL server and a database to connect to: the
benchmark creates its own database next to it (`fcsf_bench_<pid>`, so the role needs CREATEDB), migrates it,
imports generated exports (bench/generate_fiches.py: --count fiches of --structures structures, --per-file per
file) with the `import_fiches` command, then drops it (unless --keep). Nothing else on the server is touched.

Prints, for each run: seconds, fiches per second, SQL queries per file (counted with an execute wrapper, so
recording them costs nothing) and the command's own summary line.
"""

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate_fiches import edited, generate, write_files  # noqa: E402


def database_urls(url, name):
    """(URL of the benchmark database, psycopg connection info of the server's given database)."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("DATABASE_URL doit désigner un serveur PostgreSQL (postgres://…).")
    base = url.rsplit("/", 1)[0]
    query = "?" + url.split("?", 1)[1] if "?" in url else ""
    return f"{base}/{name}{query}", url.split("?", 1)[0]


def admin(conninfo, sql):
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def server_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL doit désigner un serveur PostgreSQL (postgres://…).")
    return url


@contextlib.contextmanager
def benchmark_database(url, *, keep=False):
    """A new database `fcsf_bench_<pid>` on the server of `url`, migrated, with Django set up on it; dropped at
    the end unless `keep`. Yields its URL."""
    name = f"fcsf_bench_{os.getpid()}"
    bench_url, server = database_urls(url, name)
    admin(server, f'CREATE DATABASE "{name}"')
    try:
        os.environ["DATABASE_URL"] = bench_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcsf_actions.settings.base")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        yield bench_url
        connection.close()
    finally:
        if not keep:
            admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if keep:
        print(f"\nBase conservée : {bench_url}")


def server_settings():
    """PostgreSQL's version and the settings that weigh on writes, the load of the machine, for the record."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('fsync'), current_setting('synchronous_commit')")
        version, fsync, synchronous_commit = cursor.fetchone()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{version.split(' on ')[0]}, fsync={fsync}, synchronous_commit={synchronous_commit}, "
        f"DEBUG={settings.DEBUG}, charge moyenne {load}"
    )


class QueryCounter:
    """A connection execute wrapper that only counts."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(label, paths, fiches, results):
    from django.core.management import call_command
    from django.db import connection

    counter, out = QueryCounter(), io.StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        call_command("import_fiches", *map(str, paths), stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    summary = next(line for line in out.getvalue().splitlines() if line.startswith("Bilan"))
    results.append((label, fiches, len(paths), seconds, counter.count / len(paths), summary))
    print(f"{label} : {seconds:.1f} s, {fiches / seconds:,.0f} fiches/s — {summary}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Mesure le débit de import_fiches sur PostgreSQL.")
    parser.add_argument("--count", type=int, default=10_000, help="nombre de fiches (défaut : 10000)")
    parser.add_argument("--structures", type=int, help="nombre de structures (défaut : count/33)")
    parser.add_argument("--per-file", type=int, default=1000, help="fiches par fichier (défaut : 1000)")
    parser.add_argument("--edited", type=float, default=0.1, help="part des fiches modifiées (défaut : 0.1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="ne pas supprimer la base de mesure")
    parser.add_argument(
        "--without-triggers",
        action="store_true",
        help="désactiver les déclencheurs (recherche) de la base de mesure, pour mesurer l’import seul",
    )
    args = parser.parse_args(argv)
    url = server_url()
    started = time.perf_counter()
    fiches = generate(args.count, seed=args.seed, structures=args.structures)
    changed = edited(fiches, args.edited, seed=args.seed + 1)
    folder = Path(tempfile.mkdtemp(prefix="fcsf-bench-"))
    first = write_files(fiches, folder / "first", args.per_file)
    second = write_files(changed, folder / "edited", args.per_file)
    structures = len({(fiche.structure_nom, fiche.departement_nom) for fiche in fiches})
    print(
        f"{len(fiches)} fiches, {structures} structures, {len(first)} fichiers de {args.per_file} "
        f"générés en {time.perf_counter() - started:.1f} s dans {folder}",
        flush=True,
    )

    with benchmark_database(url, keep=args.keep):
        from django.db import connection

        if args.without_triggers:
            with connection.cursor() as cursor:
                cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
                for (table,) in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        triggers = "désactivés" if args.without_triggers else "actifs"
        print(f"{server_settings()}, déclencheurs {triggers}", flush=True)

        from actions.fiches.parser import parse_bytes

        started = time.perf_counter()
        for path in first:
            parse_bytes(path.read_bytes(), path.name)
        parse_seconds = time.perf_counter() - started

        results = []
        run("premier import", first, len(fiches), results)
        run("réimport inchangé", first, len(fiches), results)
        run(f"réimport modifié ({args.edited:.0%})", second, len(fiches), results)
    print()
    print(f"Lecture seule (parser, sans base) : {parse_seconds:.1f} s, {len(fiches) / parse_seconds:,.0f} fiches/s")
    print()
    print("| import | fiches | fichiers | secondes | fiches/s | requêtes SQL par fichier |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, count, files, seconds, queries, _summary in results:
        print(f"| {label} | {count} | {files} | {seconds:.1f} | {count / seconds:,.0f} | {queries:.1f} |")


if __name__ == "__main__":
    main()
