"""Server-side latency of the public pages, SQL queries per page and page weight, on a large catalogue.

    # once: a database of 100,000 published actions across ~3,000 structures, kept for later runs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/page_latency.py --prepare 100000
    # then, as often as needed (the URL printed by --prepare):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcsf_pages_100000 .venv/bin/python bench/page_latency.py

Run by hand, never by the test suite. Requests go through Django's test client in this process: the time is the
server's (URL routing, middleware, views, queries, templates), without network or a WSGI server (see
bench/load_run.sh for throughput under load). Settings are the production ones (`fcsf_actions.settings.base`,
DEBUG off) with this process's memory as the cache unless CACHE_URL is set.

Each page is requested `--requests` times (200 by default):
- « cache chaud » : the steady state, after one warm-up request to each URL of the page: pages served from the
  cache (invalidated on every change);
- « adresse nouvelle » : the two caches (pages, text matches: catalogue/caches.py) emptied before every request,
  the process's snapshot kept (catalogue/): an address nobody asked since the last change, the catalogue
  unchanged since this process built its snapshot;
- « publication » : one published action saved again before every request (not timed), which bumps the
  catalogue version: the first request after a publish, the snapshot replaced by one whose index is patched with
  that action (writes to the database: `updated_at` and `version` of the actions saved);
- « cache froid » : everything emptied before every request, the snapshot included: the first request of a
  process, or after an import or a vocabulary change (the snapshot is built again whole).
Detail, structure and département pages rotate over different objects. Prints a Markdown table.
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def prepare(count, per_file, seed):
    """Creates the database named after `count`, migrates, imports, publishes."""
    from bench.generate_fiches import generate, write_files
    from bench.import_throughput import admin, database_urls

    name = f"fcsf_pages_{count}"
    bench_url, server = database_urls(os.environ["DATABASE_URL"], name)
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    started = time.perf_counter()
    fiches = generate(count, seed=seed)
    folder = Path(tempfile.mkdtemp(prefix="fcsf-pages-"))
    paths = write_files(fiches, folder, per_file)
    print(f"{len(fiches)} fiches générées en {time.perf_counter() - started:.0f} s", flush=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import_fiches", *map(str, paths), "--state", "publiee", verbosity=0)
    print(f"importées en {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Base prête : DATABASE_URL={bench_url}")


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcsf_actions.settings.base")
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def about_10000(published):
    """The query string of a région or dimension whose published actions number closest to 10,000."""
    from django.db.models import Count

    candidates = [
        (f"region={row['structure__departement__region__code']}", row["n"])
        for row in published.values("structure__departement__region__code").annotate(n=Count("pk"))
    ]
    candidates += [
        (f"dimension={row['dimension__slug']}", row["n"])
        for row in published.exclude(dimension=None).values("dimension__slug").annotate(n=Count("pk"))
    ]
    return min(candidates, key=lambda candidate: abs(candidate[1] - 10_000))[0]


def scenarios(selected):
    """[(name, [urls])]: every URL of a scenario is requested in turn."""
    from django.db.models import Count

    from actions.models import Action
    from structures.models import Departement, Structure

    published = Action.objects.published()
    busiest = (published.values("structure__departement__code").annotate(n=Count("pk")).order_by("-n")[0])[
        "structure__departement__code"
    ]
    first = published.select_related("dimension", "public").exclude(dimension=None).exclude(public=None).first()
    three = f"departement={busiest}&dimension={first.dimension.slug}&public={first.public.slug}"
    words = "jardin partagé"
    actions = list(published.order_by("pk").values_list("slug", flat=True)[:: max(1, published.count() // 200)])
    structures = list(
        Structure.objects.filter(actions__state=Action.State.PUBLIEE).distinct().values_list("slug", flat=True)[:200]
    )
    departements = list(Departement.objects.values_list("code", flat=True))
    pages = {
        "home": ["/"],
        "list": ["/actions/"],
        "list-1": [f"/actions/?departement={busiest}"],
        "list-3": [f"/actions/?{three}"],
        "list-q": [f"/actions/?q={words}"],
        "list-q3": [f"/actions/?q={words}&{three}"],
        "list-p200": ["/actions/?page=200"],
        "detail": [f"/actions/{slug}/" for slug in actions],
        "structure": [f"/structures/{slug}/" for slug in structures],
        "departement": [f"/departements/{code}/" for code in departements],
        "statistiques": ["/statistiques/", f"/statistiques/?dimension={first.dimension.slug}"],
        "export-csv-10000": [f"/actions/export.csv?{about_10000(published)}"],
        "api-list": ["/api/actions/", f"/api/actions/?{three}"],
    }
    names = selected or list(pages)
    return [(name, pages[name]) for name in names]


def measure(client, urls, requests, mode):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import catalogue
    from actions.models import Action
    from catalogue import caches

    cold = mode != "chaud"

    def empty():
        if mode == "publication":
            Action.objects.published().order_by("?").first().save()
        else:
            caches.clear() if mode == "nouveau" else catalogue.clear()

    for url in urls if not cold else urls[:3]:  # warm: every page served once since the last change
        client.get(url)
    timings, status = [], set()
    for index in range(requests):
        url = urls[index % len(urls)]
        if cold:
            empty()
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        timings.append((time.perf_counter() - started) * 1000)
        status.add(response.status_code)
    if cold:
        empty()
    with CaptureQueriesContext(connection) as context:
        response = client.get(urls[0])
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return timings, status, len(context.captured_queries), len(body), len(gzip.compress(body, 6))


def static_weight():
    """Compressed bytes of the CSS and JS every public page loads (what whitenoise serves, gzip level 9)."""
    total = {}
    for pattern in ("css/*.css", "js/*.js"):
        for path in sorted((ROOT / "static").glob(pattern)):
            if path.name != "print.css":
                total[path.relative_to(ROOT / "static").as_posix()] = len(gzip.compress(path.read_bytes(), 9))
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(description="Latence des pages publiques côté serveur.")
    parser.add_argument("--prepare", type=int, metavar="N", help="créer la base de N actions publiées, puis sortir")
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pages", default="", help="liste séparée par des virgules (défaut : toutes)")
    parser.add_argument("--modes", default="chaud,nouveau,froid", help="chaud, nouveau, publication, froid")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL doit désigner la base de mesure (voir --prepare).")
    if args.prepare:
        prepare(args.prepare, args.per_file, args.seed)
        return
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="fcsf-static-"))
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # production storage: hashed, compressed

    from actions.models import Action

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.RATELIMIT_ENABLED = False
    client = Client()
    print(
        f"{connection.vendor}, {Action.objects.published().count()} actions publiées, DEBUG={settings.DEBUG}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, {args.requests} requêtes par page",
        flush=True,
    )
    rows = []
    for name, urls in scenarios([page for page in args.pages.split(",") if page]):
        requests = args.requests if not name.startswith("export") else max(5, args.requests // 20)
        for mode in args.modes.split(","):
            timings, status, queries, size, compressed = measure(client, urls, requests, mode)
            row = (name, mode, len(timings), statistics.median(timings), percentile(timings, 0.95))
            row += (percentile(timings, 0.99), queries, size, compressed, ",".join(map(str, sorted(status))))
            rows.append(row)
            print(f"{name} ({mode}) : p50 {row[3]:.1f} ms, p95 {row[4]:.1f} ms", flush=True)
    print()
    print("| page | cache | requêtes | p50 ms | p95 ms | p99 ms | SQL | HTML octets | gzip octets | statuts |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, mode, count, p50, p95, p99, queries, size, compressed, status in rows:
        print(
            f"| {name} | {mode} | {count} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {queries} | {size:,} | "
            f"{compressed:,} | {status} |"
        )
    weights = static_weight()
    print()
    detail = ", ".join(f"{name} {size:,}" for name, size in weights.items())
    print(f"CSS + JS compressés : {sum(weights.values()):,} octets ({detail})")


if __name__ == "__main__":
    main()
