"""Replaces the catalogue by the content of an export_catalogue file, all or nothing: README « Sauvegardes »."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import Action
from fcsf_actions.backup import checksum, clear_catalogue, load_catalogue


class Command(BaseCommand):
    requires_system_checks = []  # a backup must not depend on the rest of the site being in order
    help = "Remplace le catalogue par le contenu d’un fichier écrit par export_catalogue (tout ou rien)."

    def add_arguments(self, parser):
        parser.add_argument("input", help="fichier .jsonl écrit par export_catalogue")
        parser.add_argument(
            "--remplacer",
            action="store_true",
            help="nécessaire si la base contient déjà des actions : elles sont remplacées par celles du fichier",
        )

    def handle(self, input, remplacer, **options):
        if Action.objects.exists() and not remplacer:
            raise CommandError(
                "La base contient déjà des actions : relancez avec --remplacer pour les remplacer par celles du "
                "fichier, ou restaurez dans une base neuve."
            )
        try:
            with transaction.atomic():
                # The référentiels and vocabularies created by the migrations are replaced too, pk for pk.
                clear_catalogue()
                with open(input, encoding="utf-8") as stream:
                    load_catalogue(stream)
        except Exception as error:
            raise CommandError(f"{input} : import annulé, la base n’a pas changé ({error}).") from error
        self.stdout.write(f"{input} importé. Empreinte du catalogue : {checksum()}")
