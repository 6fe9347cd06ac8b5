"""Writes the bulk files of the published catalogue when it changed since the last ones (opendata/bulk.py).

Run it from cron every minute; it does nothing when the catalogue version did not move, and waits for the
catalogue to be quiet for one run (15 minutes at most) before writing.
"""

from django.core.management.base import BaseCommand

from opendata import bulk


class Command(BaseCommand):
    help = "Régénère les fichiers complets des données ouvertes (CSV, XLSX, JSON) si le catalogue a changé."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Régénérer même si le catalogue n’a pas changé.")
        parser.add_argument(
            "--sans-attendre",
            action="store_true",
            help="Régénérer dès que le catalogue a changé, sans attendre qu’il soit calme.",
        )

    def handle(self, *args, force=False, sans_attendre=False, **options):
        state, manifest = bulk.publish(force=force, wait=not sans_attendre)
        if state == "waiting":
            self.stdout.write(
                "Le catalogue vient de changer : les fichiers seront écrits au prochain passage s’il n’a pas changé "
                "d’ici là."
            )
        elif state == "written":
            self.stdout.write(
                f"Fichiers complets écrits dans {bulk.root()} : version {manifest['version']} du catalogue, "
                f"{manifest['actions']} actions publiées."
            )
        elif state == "up to date":
            self.stdout.write(f"Fichiers complets à jour (version {manifest['version']} du catalogue).")
        else:
            self.stdout.write("Une autre génération est en cours : rien à faire.")
