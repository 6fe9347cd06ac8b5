"""Writes the catalogue to a portable JSON Lines file: README « Sauvegardes »."""

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from fcsf_actions.backup import checksum, export_catalogue, summary


class Command(BaseCommand):
    requires_system_checks = []  # a backup must not depend on the rest of the site being in order
    help = "Écrit le catalogue (référentiels, structures, listes, actions) dans un fichier JSON Lines portable."

    def add_arguments(self, parser):
        parser.add_argument("output", help="fichier .jsonl à écrire (remplacé seulement une fois complet)")

    def handle(self, output, **options):
        target = Path(output)
        # Written next to the target then renamed: an interrupted export never leaves a truncated file behind.
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                export_catalogue(stream)
            os.chmod(partial, 0o644)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        counts = {label: table["lignes"] for label, table in summary().items()}
        self.stdout.write(f"{target} : {sum(counts.values())} lignes, empreinte {checksum()}")
        self.stdout.write(json.dumps(counts, ensure_ascii=False, sort_keys=True))
