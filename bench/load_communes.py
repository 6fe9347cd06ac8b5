"""Time of loading the ~35,000 communes into an empty table, as the data migration 0005 does for every new
database (each test run creates one).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/load_communes.py

Run by hand, never by the test suite, on a scratch database: it migrates it, then, --runs times, empties the
communes tables and loads them again, and prints each run's seconds. Also times an unchanged reload (what
`load_referentiels` costs when nothing changed). Wall time and this process's CPU time: on a shared machine the
CPU time is the steadier figure (the database server's own CPU is not in it on PostgreSQL).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcsf_actions.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from structures.models import CodePostal, Commune, Departement, Structure
    from structures.referentiels import load_communes

    call_command("migrate", verbosity=0)
    if Structure.objects.exclude(commune=None).exists() or Structure.objects.exclude(communes_desservies=None).exists():
        sys.exit("Des structures pointent vers des communes : utilisez une base jetable.")
    print(f"{connection.vendor}, {Commune.objects.count()} communes")
    for run in range(args.runs):
        with transaction.atomic():
            CodePostal.objects.all().delete()
            Commune.objects.all().delete()
        with Timer(f"chargement {run + 1}"):
            with transaction.atomic():
                counts = load_communes(Commune, CodePostal, Departement)
        print(f"  {counts}")
    with Timer("rechargement sans changement"):
        load_communes(Commune, CodePostal, Departement)


class Timer:
    def __init__(self, label):
        self.label = label

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        print(f"{self.label} : {wall:.2f} s ({cpu:.2f} s de processeur pour Python)")


if __name__ == "__main__":
    main()
