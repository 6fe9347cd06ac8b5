"""Loads the official régions, départements and communes from `fixtures/referentiels/` (see SOURCE.md there).

Upsert by INSEE code, never delete: fiches, URLs, roles and structures point at these rows. (A commune's postcodes
follow the file: nothing points at them.)
Takes the model classes as arguments so a data migration can pass its historical models.
"""

import json
from pathlib import Path

from django.db import connections

from fcsf_actions.text import normalize_label

REFERENTIELS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "referentiels"
# Rows per UPDATE / DELETE: far below PostgreSQL's limit of 65,535 parameters per query.
BATCH_SIZE = 2000


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


def read_communes():
    """{"source": …, "date": …, "count": …, "communes": [[code INSEE, nom, département, [codes postaux]], …]}."""
    return read_referentiel("communes")


def insert_rows(model, field_names, rows):
    """Writes plain tuples with COPY, several times faster than `bulk_create` (which builds and prepares a model
    instance per row). No signals, no defaults: give every column but the primary key. Measured with
    bench/load_communes.py."""
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    # The raw cursor's errors are psycopg's: wrapped, they are Django's (IntegrityError…) as for any other query.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


COMMUNE_FIELDS = ["nom", "nom_cle", "departement_id"]


def load_communes(Commune, CodePostal, Departement):
    """Returns {"communes": (created, updated), "codes postaux": (created, deleted)}, in a few bulk queries.

    About 35,000 communes: rows are compared as tuples in memory and only the differences written.
    """
    rows = read_communes()["communes"]
    departement_ids = dict(Departement.objects.values_list("code", "pk"))
    existing = {code: (pk, values) for pk, code, *values in Commune.objects.values_list("pk", "code", *COMMUNE_FIELDS)}
    new, changed = [], []
    for code, nom, departement, _ in rows:
        values = (nom, normalize_label(nom), departement_ids[departement])
        pk, current = existing.get(code, (None, None))
        if pk is None:
            new.append((code, *values))
        elif tuple(current) != values:
            changed.append(Commune(pk=pk, code=code, **dict(zip(COMMUNE_FIELDS, values, strict=True))))
    insert_rows(Commune, ["code", *COMMUNE_FIELDS], new)
    Commune.objects.bulk_update(changed, COMMUNE_FIELDS, batch_size=BATCH_SIZE)

    commune_ids = dict(Commune.objects.values_list("code", "pk"))
    wanted = {(commune_ids[code], postcode) for code, _, _, postcodes in rows for postcode in postcodes}
    present = {
        (commune_id, code): pk for pk, commune_id, code in CodePostal.objects.values_list("pk", "commune", "code")
    }
    added = sorted(wanted - present.keys())
    insert_rows(CodePostal, ["commune", "code"], added)
    obsolete = [pk for key, pk in present.items() if key not in wanted]
    for start in range(0, len(obsolete), BATCH_SIZE):
        CodePostal.objects.filter(pk__in=obsolete[start : start + BATCH_SIZE]).delete()
    return {"communes": (len(new), len(changed)), "codes postaux": (len(added), len(obsolete))}


def match_commune(Commune, text, departement_id, code_postal=""):
    """The commune of the département named `text` (case, accents and hyphens ignored), or None.

    Homonyms in one département are told apart by the postcode; if that does not settle it, None."""
    candidates = list(Commune.objects.filter(departement_id=departement_id, nom_cle=normalize_label(text)))
    if len(candidates) > 1 and code_postal:
        candidates = [commune for commune in candidates if commune.codes_postaux.filter(code=code_postal).exists()]
    return candidates[0] if len(candidates) == 1 else None
