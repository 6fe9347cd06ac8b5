"""The values of the fiche's vocabularies, in the order the public catalogue lists them.

Seeded by a migration so that filters and the importer agree on the order from the start;
the federation may add more in the admin, and the importer adds unknown ones at the end.
"""

VOCABULARIES = {
    "Statut": ["En cours", "Terminée"],
    "Dimension": ["Citoyenneté", "Services", "Accompagnement de projets"],
    "Public": [
        "Tous publics",
        "Petite enfance",
        "Enfance",
        "Jeunesse",
        "Jeunes adultes",
        "Adultes",
        "familles",
        "Seniors",
    ],
    "Territoire": ["Un quartier", "Plusieurs quartiers", "Une commune", "Plusieurs communes", "Autre"],
    "Initiative": [
        "Le centre social",
        "Un ou plusieurs partenaire(s)",
        "Un groupe d'habitants",
        "Un habitant",
        "Autre",
    ],
    "MotCle": [
        "intergénérationnel",
        "Parentalité",
        "Solidarité",
        "éducation / scolarité",
        "développement durable",
        "Culture",
        "Démocratie & citoyenneté",
        "Viellissement",
        "Emploi, économie",
        "Santé",
        "Environnement",
        "Logement",
        "Précarité",
        "Intégration",
        "mobilité / transport",
        "discriminations",
        "vacances / loisirs",
        "alphabétisation & apprentissage du français",
        "Mixité sociale",
    ],
    "Partenaire": [
        "Caf",
        "Commune",
        "Conseil départemental",
        "Association locale",
        "Association nationale",
        "Regroupement de communes",
        "Canton",
        "MSA",
        "CPAM",
        "CARSAT",
        "ARS",
        "ACSE",
        "Etat",
        "Préfecture",
        "Fondations",
        "FONJEP",
        "Autre",
    ],
}


def seed_vocabularies(get_model):
    """Creates the missing entries; existing ones (matched by key) are left as the federation edited them."""
    from django.utils.text import slugify

    from fcsf_actions.text import normalize_label

    for model_name, labels in VOCABULARIES.items():
        model = get_model(model_name)
        for position, label in enumerate(labels, start=1):
            model.objects.get_or_create(
                cle=normalize_label(label),
                defaults={"libelle": label, "slug": slugify(label), "position": position},
            )
