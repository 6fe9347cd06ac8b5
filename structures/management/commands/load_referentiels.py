from django.core.management.base import BaseCommand
from django.db import transaction

from structures.models import CodePostal, Commune, Departement, Region
from structures.referentiels import load_communes, load_regions_and_departements, read_communes


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les régions, départements et communes officiels (fixtures/referentiels). "
        "Idempotent : rien n’est jamais supprimé, sauf les codes postaux qu’une commune n’a plus."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (created, updated) in load_regions_and_departements(Region, Departement).items():
            self.stdout.write(f"{name} : {created} créé(s), {updated} mis à jour")
        counts = load_communes(Commune, CodePostal, Departement)
        created, updated = counts["communes"]
        self.stdout.write(f"communes : {created} créée(s), {updated} mise(s) à jour")
        added, removed = counts["codes postaux"]
        self.stdout.write(f"codes postaux : {added} ajouté(s), {removed} retiré(s)")
        source = read_communes()
        self.stdout.write(f"source des communes : {source['source']} du {source['date']}, {source['count']} communes")
