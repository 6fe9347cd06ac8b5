"""Loads the official régions and départements from `fixtures/referentiels/` (see SOURCE.md there).

Upsert by INSEE code, never delete: fiches, URLs and roles point at these rows.
Takes the model classes as arguments so a data migration can pass its historical models.
"""

import json
from pathlib import Path

REFERENTIELS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "referentiels"


def read_referentiel(name):
    with open(REFERENTIELS_DIR / f"{name}.json", encoding="utf-8") as file:
        return json.load(file)


def load_regions_and_departements(Region, Departement):
    """Returns {"régions": (created, updated), "départements": (created, updated)}."""
    counts = {}
    regions = {}
    created = updated = 0
    for row in read_referentiel("regions"):
        region, was_created = Region.objects.get_or_create(code=row["code"], defaults={"nom": row["nom"]})
        if not was_created and region.nom != row["nom"]:
            region.nom = row["nom"]
            region.save(update_fields=["nom"])
            updated += 1
        created += was_created
        regions[region.code] = region
    counts["régions"] = (created, updated)

    created = updated = 0
    for row in read_referentiel("departements"):
        values = {"nom": row["nom"], "region": regions[row["region"]]}
        departement, was_created = Departement.objects.get_or_create(code=row["code"], defaults=values)
        if not was_created and (departement.nom, departement.region_id) != (row["nom"], values["region"].pk):
            departement.nom = row["nom"]
            departement.region = values["region"]
            departement.save(update_fields=["nom", "region"])
            updated += 1
        created += was_created
    counts["départements"] = (created, updated)
    return counts
