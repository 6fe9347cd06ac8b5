from django.core.management.base import BaseCommand

from structures.models import Departement, Region
from structures.referentiels import load_regions_and_departements


class Command(BaseCommand):
    help = "Charge ou met à jour les régions et départements officiels (fixtures/referentiels). Idempotent."

    def handle(self, *args, **options):
        for name, (created, updated) in load_regions_and_departements(Region, Departement).items():
            self.stdout.write(f"{name} : {created} créé(s), {updated} mis à jour")
