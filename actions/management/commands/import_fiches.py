import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from actions.fiches.loader import LoadReport, load_parsed, read
from actions.fiches.parser import Diagnostic
from actions.models import Action

STDIN = "-"
DATABASE_LOST = (
    "La connexion à la base de données a été perdue pendant l’import : rien n’a été écrit pour ce fichier. "
    "Relancez l’import quand la base répond : les fichiers déjà importés ne seront pas dupliqués"
)
PROGRESS_WIDTH = 100


def collect_files(paths):
    """The files named by `paths`, folders expanded to their .txt files (sorted); raises on a missing path."""
    files = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{raw} : fichier ou dossier introuvable. Vérifiez le chemin.", returncode=2)
    if not files:
        raise CommandError("Aucun fichier .txt à importer dans les chemins donnés.", returncode=2)
    return files


def read_file(file, start=None):
    """(name, parsed file or the error that refuses it); parsing waits for the event `start`, if given."""
    data = sys.stdin.buffer.read() if file == STDIN else file.read_bytes()
    if start is not None:
        start.wait()
    name = "<stdin>" if file == STDIN else str(file)
    return name, read(data, name)


class Command(BaseCommand):
    help = (
        "Importe des exports texte de fiches action (fichiers, dossiers de .txt, ou - pour l’entrée standard). "
        "Chaque fichier est importé en entier ou pas du tout ; réimporter un fichier ne change rien. "
        "Code de sortie : 0 tout est importé, 1 des fichiers sont refusés, 2 erreur d’utilisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="CHEMIN", help="fichier .txt, dossier, ou - (entrée standard)")
        parser.add_argument(
            "--state",
            choices=[Action.State.PUBLIEE, Action.State.SOUMISE, Action.State.BROUILLON],
            default=Action.State.PUBLIEE,
            help="état des actions créées (défaut : publiee) ; les actions déjà présentes gardent le leur",
        )
        parser.add_argument("--dry-run", action="store_true", help="tout vérifier et tout compter sans rien écrire")
        parser.add_argument(
            "--force",
            action="store_true",
            help="écraser aussi les actions modifiées dans l’administration depuis leur dernier import",
        )

    def handle(self, *args, paths, state, dry_run, force, **options):
        files = collect_files(paths)
        reports = []
        # Each file is parsed (Python, no database) in a thread while the database writes the one before, from the
        # moment the database starts that file's long statement: started earlier, the parse would hold the
        # interpreter while each short query's answer waits for it (up to 5 ms each), and slow the import down.
        with ThreadPoolExecutor(max_workers=1) as reader:
            upcoming = reader.submit(read_file, files[0])
            for index in range(1, len(files) + 1):
                name, parsed = upcoming.result()
                writing = threading.Event()
                if index < len(files):
                    upcoming = reader.submit(read_file, files[index], writing)
                progress = self.progress_bar(f"[{index}/{len(files)}] {name}") if self.stdout.isatty() else None
                try:
                    report = load_parsed(
                        parsed, name, state=state, dry_run=dry_run, force=force, progress=progress, writing=writing.set
                    )
                except DatabaseError as error:
                    # The file's transaction is rolled back with the lost connection: nothing of it was written.
                    connection.close()  # the next file gets a new connection
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    report = LoadReport(name, errors=[Diagnostic(name, 1, f"{DATABASE_LOST} ({reason}).")])
                finally:
                    writing.set()  # a file refused before writing anything
                if progress:
                    self.stdout.write("\r" + " " * PROGRESS_WIDTH + "\r", ending="")
                reports.append(report)
                self.print_report(report)
        self.print_summary(reports, dry_run)
        refused = sum(report.refused for report in reports)
        if refused:
            raise CommandError(
                f"{refused} fichier(s) refusé(s) sur {len(reports)} : corrigez les erreurs ci-dessus puis relancez "
                "l’import (les fichiers acceptés ne seront pas dupliqués).",
                returncode=1,
            )

    def progress_bar(self, prefix):
        """A one-line progress bar, redrawn in place: only for a terminal, so logs stay clean."""

        def draw(done, total):
            filled = 30 * done // total
            line = f"\r{prefix[: PROGRESS_WIDTH - 45]} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
            self.stdout.write(line, ending="")
            self.stdout.flush()

        return draw

    def print_report(self, report):
        for diagnostic in report.warnings:
            self.stderr.write(f"{diagnostic} [avertissement]", style_func=self.style.WARNING)
        for diagnostic in report.errors:
            self.stderr.write(f"{diagnostic} [erreur]", style_func=self.style.ERROR)
        if report.refused:
            self.stdout.write(f"{report.filename} : REFUSÉ, rien n’a été écrit ({len(report.errors)} erreur(s))")
        else:
            self.stdout.write(
                f"{report.filename} : {report.fiches} fiche(s) — {report.created} créée(s), "
                f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s), {report.conflicts} en conflit"
            )

    def print_summary(self, reports, dry_run):
        def total(name):
            return sum(getattr(report, name) for report in reports if not report.refused)

        refused_fiches = sum(report.fiches for report in reports if report.refused)
        changes = total("created") + total("updated")
        self.stdout.write(
            ("Simulation (--dry-run), rien n’a été écrit. " if dry_run else "")
            + f"Bilan : {len(reports)} fichier(s), {total('fiches')} fiche(s) lue(s) ; "
            f"{total('created')} créée(s), {total('updated')} mise(s) à jour, {total('unchanged')} inchangée(s), "
            f"{total('conflicts')} en conflit, {refused_fiches} refusée(s) ; "
            f"{sum(len(report.warnings) for report in reports)} avertissement(s)."
        )
        if not changes and not dry_run and not any(report.refused for report in reports):
            self.stdout.write("Aucun changement : la base était déjà à jour.")
