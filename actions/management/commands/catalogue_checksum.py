"""Prints the catalogue's rows and checksum per table (JSON), to compare a restored copy with its source."""

import json

from django.core.management.base import BaseCommand

from fcsf_actions.backup import checksum, summary


class Command(BaseCommand):
    requires_system_checks = []  # a backup must not depend on the rest of the site being in order
    help = "Affiche, pour chaque table du catalogue, son nombre de lignes et l’empreinte SHA-256 de son contenu."

    def add_arguments(self, parser):
        parser.add_argument("--total", action="store_true", help="n’afficher que l’empreinte globale")

    def handle(self, total, **options):
        if total:
            self.stdout.write(checksum())
        else:
            self.stdout.write(json.dumps(summary(), ensure_ascii=False, indent=1, sort_keys=True))
