"""The floor of a searchable import on this PostgreSQL server, and the real first import measured against it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_floor.py --count 10000

Run by hand, never by the test suite. Like bench/import_throughput.py, creates its own database `fcsf_bench_<pid>`
on the server of DATABASE_URL (the role needs CREATEDB), migrates it and drops it at the end (unless --keep).

The floor: what making the fiches searchable costs the database alone, with nothing of the application. The
generated fiches' text (bench/generate_fiches.py: every text field, the lists as text, the structure's name) is
written with one COPY into a plain table, then their weighted `french_unaccent` documents, built exactly as
`actions_search_refresh` builds them (A title, B résumé and mots-clés, C the rest and the structure), with one
`INSERT … SELECT` into a table with a GIN index; one transaction. Measured before and after the real import
(the machine is shared: the mean of the two is the floor).

The real import: the `import_fiches` command on the same fiches, written as export files of --per-file fiches,
into the empty catalogue (parsing included). Prints fiches/s of each and the ratio real / floor, of the wall
clock and of the CPU seconds used by this process and its PostgreSQL backend (when the server runs on this
machine: read in /proc), steadier than the wall clock on a machine shared with other work.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate_fiches import generate, write_files  # noqa: E402
from bench.import_throughput import benchmark_database, run, server_settings, server_url  # noqa: E402

TEXT_FIELDS = [
    "titre",
    "structure_nom",
    "departement_nom",
    "fichiers_associes",
    "statut",
    "raisons_fin",
    "dimension",
    "resume",
    "precision_initiative",
    "territoire",
    "description_experience",
    "public",
    "description_generale",
    "ressources_financieres",
    "nombre_personnes",
    "resultat_territoire",
    "resultat_centre",
    "resultat_habitants",
    "limites",
    "perspectives",
]
LIST_FIELDS = ["mots_cles", "initiatives", "partenaires"]

FLOOR_TABLES = f"""
DROP TABLE IF EXISTS floor_fiche, floor_search;
CREATE TABLE floor_fiche (id bigint PRIMARY KEY, {", ".join(f"{name} text" for name in TEXT_FIELDS + LIST_FIELDS)});
CREATE TABLE floor_search (action_id bigint PRIMARY KEY, document tsvector NOT NULL);
CREATE INDEX floor_search_document_gin ON floor_search USING gin (document);
"""

# The weights and configuration of actions_search_refresh (migrations actions 0003_search, structures 0006).
FLOOR_DOCUMENTS = """
INSERT INTO floor_search (action_id, document)
SELECT id,
    setweight(to_tsvector('french_unaccent', coalesce(titre, '')), 'A')
    || setweight(to_tsvector('french_unaccent', concat_ws(' ', resume, mots_cles)), 'B')
    || setweight(to_tsvector('french_unaccent', concat_ws(' ',
        description_experience, description_generale, precision_initiative, raisons_fin,
        ressources_financieres, nombre_personnes, resultat_territoire, resultat_centre,
        resultat_habitants, limites, perspectives, structure_nom, NULL)), 'C')
FROM floor_fiche
"""


class Clock:
    """Wall-clock seconds, and CPU seconds of this process and of its PostgreSQL backend (read in /proc when the
    server runs on this machine): on a shared machine the CPU seconds vary less than the wall clock."""

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.wall, self.client, self.server = time.perf_counter(), time.process_time(), self.server_cpu()

    def server_cpu(self):
        if not self.stat.exists():
            return None
        utime, stime = self.stat.read_text().rsplit(")", 1)[1].split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def elapsed(self):
        """(wall seconds, CPU seconds of this process, of the server's backend or None) since the clock was made."""
        server = self.server_cpu()
        server = None if server is None or self.server is None else server - self.server
        return time.perf_counter() - self.wall, time.process_time() - self.client, server


def cpu_text(client, server):
    if server is None:
        return f"CPU : client {client:.1f} s, serveur inconnu (distant)"
    return f"CPU : client {client:.1f} s + serveur {server:.1f} s = {client + server:.1f} s"


def floor(fiches):
    """(wall, CPU) seconds to COPY the fiches' text and build their searchable documents, in one transaction."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLES)
    columns = ", ".join(["id", *TEXT_FIELDS, *LIST_FIELDS])
    clock = Clock()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY floor_fiche ({columns}) FROM STDIN") as copy:
            for number, fiche in enumerate(fiches, start=1):
                values = [getattr(fiche, name) for name in TEXT_FIELDS]
                copy.write_row([number, *values, *(" ".join(getattr(fiche, name)) for name in LIST_FIELDS)])
        cursor.execute(FLOOR_DOCUMENTS)
    seconds, client, server = clock.elapsed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM floor_search")
        assert cursor.fetchone()[0] == len(fiches)
        cursor.execute("DROP TABLE floor_fiche, floor_search")
    print(f"plancher : {seconds:.1f} s, {len(fiches) / seconds:,.0f} fiches/s ; {cpu_text(client, server)}", flush=True)
    return seconds, client, server


def searchable_count(expected):
    """The real import made every fiche searchable, in its own transactions (not later, not partly)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM actions_search JOIN actions_action a ON a.id = action_id")
        assert cursor.fetchone()[0] == expected


def main(argv=None):
    parser = argparse.ArgumentParser(description="Mesure le plancher d’un import cherchable, et l’import réel.")
    parser.add_argument("--count", type=int, default=10_000, help="nombre de fiches (défaut : 10000)")
    parser.add_argument("--structures", type=int, help="nombre de structures (défaut : count/33)")
    parser.add_argument("--per-file", type=int, default=1000, help="fiches par fichier (défaut : 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="ne pas supprimer la base de mesure")
    args = parser.parse_args(argv)
    url = server_url()

    fiches = generate(args.count, seed=args.seed, structures=args.structures)
    files = write_files(fiches, Path(tempfile.mkdtemp(prefix="fcsf-floor-")), args.per_file)
    with benchmark_database(url, keep=args.keep):
        print(server_settings(), flush=True)
        floors = [floor(fiches)]
        results, clock = [], Clock()
        run("premier import", files, len(fiches), results)
        _wall, client, server = clock.elapsed()
        real = (results[0][3], client, server)
        print(f"premier import : {cpu_text(client, server)}", flush=True)
        searchable_count(len(fiches))
        floors.append(floor(fiches))
        print(server_settings(), flush=True)
    mean_floor = [sum(values) / 2 if None not in values else None for values in zip(*floors, strict=True)]
    count = len(fiches)
    print()
    print("| mesure | secondes | fiches/s | CPU client (s) | CPU serveur (s) | CPU total (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    walls = " et ".join(f"{wall:.1f}" for wall, _client, _server in floors)
    for label, (wall, client, server) in [(f"plancher (moyenne de {walls} s)", mean_floor), ("premier import", real)]:
        total = "?" if server is None else f"{client + server:.1f}"
        print(f"| {label} | {wall:.1f} | {count / wall:,.0f} | {client:.1f} | {server or 0:.1f} | {total} |")
    print(f"\nRapport réel / plancher : {mean_floor[0] / real[0]:.2f} (temps écoulé)", end="")
    if real[2] is not None and mean_floor[2] is not None:
        print(f", {sum(mean_floor[1:]) / sum(real[1:]):.2f} (CPU)", end="")
    print()


if __name__ == "__main__":
    main()
