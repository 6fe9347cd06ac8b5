"""Writes the bulk files of the published catalogue when it changed since the last ones (opendata/bulk.py).

Run it from cron every few minutes; it does nothing when the catalogue version did not move.
"""

from django.core.management.base import BaseCommand

from opendata import bulk


class Command(BaseCommand):
    help = "Régénère les fichiers complets des données ouvertes (CSV, XLSX, JSON) si le catalogue a changé."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Régénérer même si le catalogue n’a pas changé.")

    def handle(self, *args, force=False, **options):
        written, manifest = bulk.publish(force=force)
        if written:
            self.stdout.write(
                f"Fichiers complets écrits dans {bulk.root()} : version {manifest['version']} du catalogue, "
                f"{manifest['actions']} actions publiées."
            )
        elif manifest:
            self.stdout.write(f"Fichiers complets à jour (version {manifest['version']} du catalogue).")
        else:
            self.stdout.write("Une autre génération est en cours : rien à faire.")
