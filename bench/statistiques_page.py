"""Time of the statistics page (/statistiques/) on PostgreSQL at catalogue scale, cold and warm cache.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/statistiques_page.py --count 100000

Run by hand, never by the test suite. Creates its own database next to DATABASE_URL's (`fcsf_bench_stats_<pid>`,
the role needs CREATEDB), migrates it, imports --seed generated fiches with `import_fiches` (the real path, search
documents included), then copies those actions in SQL until there are --count published actions (copies keep
their structure, vocabularies and lists; triggers are off during the copy, so only the imported fiches have a
search document: the `q=` scenario searches those). Then, for each scenario, requests the page in-process
(Django's test client: no network, no server) --runs times with an empty cache (« cold »: every count computed)
and --runs times with the counts cached (« warm »), and prints the median and 95th percentile in ms, the SQL
queries per request and the page size. Drops the database at the end unless --keep.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate_fiches import generate, write_files  # noqa: E402
from bench.import_throughput import admin, database_urls  # noqa: E402

SCENARIOS = {
    "sans filtre": "",
    "3 filtres": "mots_cles=parentalite&statut=en-cours&region=84",
    "2 départements + dimension": "departement=59&departement=69&dimension=citoyennete",
    "recherche + filtre": "q=jeunes&public=jeunesse",
}


def multiply(target):
    """Copies the published actions (and their many-to-many rows) until there are `target` of them."""
    from django.db import connection

    from actions.models import Action

    existing = Action.objects.count()
    copies = max(0, -(-target // existing) - 1)
    fields = [field.column for field in Action._meta.concrete_fields if field.column not in {"id", "titre", "slug"}]
    columns = ", ".join(fields)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no trigger, no FK check during the copy
        cursor.execute(
            f"INSERT INTO actions_action (titre, slug, {columns}) "
            f"SELECT a.titre || ' #' || k, a.slug || '-c' || k, {', '.join('a.' + c for c in fields)} "
            "FROM actions_action a, generate_series(1, %s) k",
            [copies],
        )
        links = (
            ("actions_action_mots_cles", "motcle_id"),
            ("actions_action_initiatives", "initiative_id"),
            ("actions_action_partenaires", "partenaire_id"),
        )
        for table, column in links:
            cursor.execute(
                f"INSERT INTO {table} (action_id, {column}) SELECT copy.id, link.{column} FROM {table} link "
                "JOIN actions_action a ON a.id = link.action_id CROSS JOIN generate_series(1, %s) k "
                "JOIN actions_action copy ON copy.slug = a.slug || '-c' || k",
                [copies],
            )
        extra = "SELECT id FROM actions_action ORDER BY id OFFSET %s"
        for table, _column in links:
            cursor.execute(f"DELETE FROM {table} WHERE action_id IN ({extra})", [target])
        cursor.execute(f"DELETE FROM actions_action WHERE id IN ({extra})", [target])
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")


def measure(client, query_string, runs, cold):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import catalogue

    times, queries, size = [], 0, 0
    for _ in range(runs):
        if cold:
            catalogue.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(f"/statistiques/?{query_string}")
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        queries, size = len(captured), len(response.content)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="actions publiées au total")
    parser.add_argument("--seed", type=int, default=2_000, help="fiches importées par import_fiches")
    parser.add_argument("--structures", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="garder la base de mesure")
    args = parser.parse_args()

    name = f"fcsf_bench_stats_{os.getpid()}"
    bench_url, server = database_urls(os.environ.get("DATABASE_URL", ""), name)
    admin(server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcsf_actions.settings.test")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory() as directory:
            write_files(generate(args.seed, 1, args.structures), Path(directory), per_file=1000)
            call_command("import_fiches", directory, stdout=io.StringIO(), stderr=io.StringIO())
        multiply(args.count)
        from actions.models import Action

        print(f"PostgreSQL, {Action.objects.published().count()} actions publiées, {args.runs} requêtes par mesure")
        client = Client(HTTP_HOST="localhost")
        print(f"{'scénario':32} {'cache':6} {'médiane':>9} {'p95':>9} {'requêtes':>9} {'octets':>9}")
        for label, query_string in SCENARIOS.items():
            for cold in (True, False):
                median, p95, queries, size = measure(client, query_string, args.runs, cold)
                print(f"{label:32} {'froid' if cold else 'chaud':6} {median:8.1f}  {p95:8.1f}  {queries:9} {size:9}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(server, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
