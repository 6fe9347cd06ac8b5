"""The relevance test set: a small catalogue of fiches in known places, and the queries a visitor would type
(places, themes, synonyms, typos, publics), each with the fiches that must come first.

Used by tests/actions/test_relevance.py (the suite asserts every query) and bench/relevance.py (precision at 5,
with and without the thesaurus and the places).
"""

from actions.filters import ActionFilterSet
from actions.models import MotCle, Public
from structures.models import Commune, Departement, Structure
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory

# key: (name, département, commune INSEE code, served communes of an itinerant structure)
STRUCTURES = {
    "vilar": ("Centre social Jean Vilar", "49", "49007", ()),
    "bellebeille": ("Maison de quartier Belle-Beille", "49", "49007", ()),
    "pasteur": ("Centre social Pasteur", "49", "49099", ()),
    "saumurois": ("Espace de vie sociale du Saumurois", "49", "49328", ()),
    "layon": ("Bus social du Layon", "49", "49063", ("49259", "49353")),
    "trelaze": ("Centre social de la Quantinière", "49", "49353", ()),
    "sablons": ("Centre social des Sablons", "72", "72181", ()),
    "sable": ("Centre social Sablé Cœur de ville", "72", "72264", ()),
    "faubourg": ("Centre social du Faubourg", "59", "59350", ()),
    "epeule": ("Centre social de l’Épeule", "59", "59512", ()),
    "croixrousse": ("Centre social de la Croix-Rousse", "69", "69123", ()),
    "mauront": ("Centre social Saint-Mauront", "13", "13055", ()),
    "blosne": ("Centre social Ty Blosne", "35", "35238", ()),
}

# key: (structure, title, résumé, mots-clés, public)
FICHES = {
    "clas_angers": (
        "vilar",
        "Accompagnement à la scolarité des collégiens",
        "Des bénévoles accompagnent les collégiens après la classe : méthode, leçons, lien avec le collège (CLAS).",
        ["éducation / scolarité"],
        "Jeunesse",
    ),
    "soutien_lille": (
        "faubourg",
        "Soutien scolaire en primaire",
        "Les écoliers du quartier sont épaulés après l’école par des étudiants bénévoles.",
        ["éducation / scolarité"],
        "Enfance",
    ),
    "clas_rennes": (
        "blosne",
        "CLAS du Blosne",
        "Un contrat local pour les écoliers et leurs parents, deux soirs par semaine.",
        [],
        "Enfance",
    ),
    "numerique_roubaix": (
        "epeule",
        "Initiation à l’informatique",
        "Apprendre à utiliser un ordinateur, une messagerie et les sites des administrations.",
        [],
        "Adultes",
    ),
    "numerique_angers": (
        "bellebeille",
        "Café numérique",
        "Un rendez-vous mensuel pour poser ses questions sur le téléphone, la tablette et internet.",
        [],
        "Tous publics",
    ),
    "ordi_bus": (
        "layon",
        "Ordinateurs dans le bus",
        "Le bus apporte des ordinateurs portables dans les villages et aide aux démarches en ligne.",
        [],
        "Tous publics",
    ),
    "seniors_cholet": (
        "pasteur",
        "Gym douce pour les personnes âgées",
        "Une séance hebdomadaire d’activité physique adaptée aux plus de 65 ans.",
        ["Viellissement", "Santé"],
        "Seniors",
    ),
    "seniors_marseille": (
        "mauront",
        "Visites de convivialité aux aînés",
        "Des habitants bénévoles rendent visite aux retraités qui vivent seuls.",
        [],
        "Seniors",
    ),
    "parent_lyon": (
        "croixrousse",
        "Café des parents",
        "Un temps d’échange entre parents autour de l’éducation des enfants.",
        ["Parentalité"],
        "familles",
    ),
    "parent_mans": (
        "sablons",
        "Soutien à la parentalité",
        "Ateliers parents-enfants et groupe de parole pour les parents.",
        ["Parentalité"],
        "familles",
    ),
    "famille_saumur": (
        "saumurois",
        "Sorties à la journée",
        "Des sorties au bord de la Loire pour les familles du territoire.",
        ["vacances / loisirs"],
        "familles",
    ),
    "jardin_angers": (
        "vilar",
        "Jardin partagé du quartier",
        "Les habitants cultivent ensemble des légumes au pied des immeubles.",
        ["Environnement", "développement durable"],
        "Tous publics",
    ),
    "potager_sable": (
        "sable",
        "Potager collectif",
        "Un potager où petits et grands apprennent à cultiver sans pesticides.",
        ["Environnement"],
        "Tous publics",
    ),
    "jardin_lyon": (
        "croixrousse",
        "Jardin des pentes",
        "Un jardin partagé sur les pentes de la colline.",
        ["Environnement"],
        "Tous publics",
    ),
    "epicerie_roubaix": (
        "epeule",
        "Épicerie solidaire",
        "Des produits à petits prix pour les ménages aux revenus modestes.",
        ["Précarité", "Solidarité"],
        "Tous publics",
    ),
    "colis_marseille": (
        "mauront",
        "Aide alimentaire d’urgence",
        "Distribution de colis alimentaires avec les associations caritatives.",
        ["Précarité"],
        "Tous publics",
    ),
    "fle_lille": (
        "faubourg",
        "Ateliers sociolinguistiques",
        "Apprendre le français de la vie quotidienne : rendez-vous médicaux, école, démarches.",
        ["alphabétisation & apprentissage du français"],
        "Adultes",
    ),
    "alpha_cholet": (
        "pasteur",
        "Alphabétisation des adultes",
        "Lire et écrire pour les adultes qui ne l’ont jamais appris.",
        ["alphabétisation & apprentissage du français"],
        "Adultes",
    ),
    "mobilite_saumur": (
        "saumurois",
        "Transport solidaire",
        "Des chauffeurs bénévoles conduisent les habitants sans voiture chez le médecin.",
        ["mobilité / transport"],
        "Tous publics",
    ),
    "permis_mans": (
        "sablons",
        "Auto-école sociale",
        "Préparer le permis de conduire à prix réduit, avec un accompagnement adapté.",
        ["mobilité / transport"],
        "Jeunes adultes",
    ),
    "vacances_rennes": (
        "blosne",
        "Départs en vacances des familles",
        "Préparer ensemble un premier séjour à la mer.",
        ["vacances / loisirs"],
        "familles",
    ),
    "jeunes_roubaix": (
        "epeule",
        "Chantiers jeunes",
        "Des jeunes rénovent un local du quartier contre une bourse au permis.",
        [],
        "Jeunesse",
    ),
    "ados_angers": (
        "bellebeille",
        "Accueil ados",
        "Un lieu pour les 12-17 ans le mercredi après-midi et pendant les congés.",
        [],
        "Jeunesse",
    ),
    "sante_lyon": (
        "croixrousse",
        "Prévention bucco-dentaire",
        "Des dentistes viennent expliquer l’hygiène dentaire aux écoliers.",
        ["Santé"],
        "Enfance",
    ),
    "handicap_marseille": (
        "mauront",
        "Loisirs partagés et handicap",
        "Des sorties ouvertes aux personnes en situation de handicap et à leurs aidants.",
        [],
        "Tous publics",
    ),
    "droits_layon": (
        "layon",
        "Permanence d’accès aux droits",
        "Le bus tient une permanence d’écrivain public pour les démarches administratives.",
        [],
        "Adultes",
    ),
    "culture_sable": (
        "sable",
        "Sorties culturelles",
        "Des sorties au théâtre et au musée pour les habitants qui n’y vont jamais.",
        ["Culture"],
        "Tous publics",
    ),
    "repas_trelaze": (
        "trelaze",
        "Repas partagés",
        "Chaque jeudi, des habitants cuisinent et déjeunent ensemble.",
        ["Solidarité"],
        "Tous publics",
    ),
    "isolement_rennes": (
        "blosne",
        "Réseau de voisins attentifs",
        "Des voisins veillent les uns sur les autres pour rompre la solitude.",
        [],
        "Tous publics",
    ),
    "emploi_lille": (
        "faubourg",
        "Café emploi",
        "Rencontres avec des employeurs et aide à la recherche d’emploi.",
        ["Emploi, économie"],
        "Adultes",
    ),
    "cuisine_cholet": (
        "pasteur",
        "Atelier cuisine à petit budget",
        "Cuisiner des repas équilibrés avec peu de moyens.",
        [],
        "Adultes",
    ),
    "interg_saumur": (
        "saumurois",
        "Rencontres intergénérationnelles",
        "Des écoliers rendent visite aux résidents de la maison de retraite.",
        ["intergénérationnel"],
        "Tous publics",
    ),
    "citoyen_marseille": (
        "mauront",
        "Conseil citoyen",
        "Les habitants participent aux décisions qui concernent le quartier.",
        [],
        "Tous publics",
    ),
    "logement_lyon": (
        "croixrousse",
        "Permanence logement",
        "Un appui pour trouver ou garder un toit.",
        ["Logement"],
        "Adultes",
    ),
    "fete_angers": (
        "vilar",
        "Fête de quartier",
        "Une fête organisée avec les habitants chaque été.",
        [],
        "Tous publics",
    ),
}

ANGERS = ["clas_angers", "numerique_angers", "jardin_angers", "ados_angers", "fete_angers"]

# (what is typed, the fiches that must come first in any order, the INSEE codes of the communes or the code of the
# département every result must be in — itinerant structures serving it included — or None).
QUERIES = [
    # places
    ("49100", ANGERS, "49007"),
    ("Angers", ANGERS, "49007"),
    ("angers", ANGERS, "49007"),
    ("Trélazé", ["repas_trelaze", "ordi_bus", "droits_layon"], "49353"),
    ("Cholet", ["seniors_cholet", "alpha_cholet", "cuisine_cholet"], "49099"),
    ("jardin Angers", ["jardin_angers"], "49007"),
    ("aide aux devoirs Lille", ["soutien_lille"], "59350"),
    ("numérique Roubaix", ["numerique_roubaix"], "59512"),
    ("Maine-et-Loire personnes âgées", ["seniors_cholet"], "49"),
    ("59 emploi", ["emploi_lille"], "59"),
    ("Le Mans", ["parent_mans", "permis_mans"], "72181"),
    ("parentalité 72", ["parent_mans"], "72"),
    ("vacances Rennes", ["vacances_rennes"], "35238"),
    ("aide alimentaire 13", ["colis_marseille"], "13"),
    ("Lyon", ["parent_lyon", "jardin_lyon", "sante_lyon", "logement_lyon"], "69123"),
    ("ordinateur Rochefort-sur-Loire", ["ordi_bus"], "49259"),
    # themes
    ("jardin partagé", ["jardin_angers", "jardin_lyon"], None),
    ("potager", ["potager_sable"], None),
    ("épicerie solidaire", ["epicerie_roubaix"], None),
    ("transport solidaire", ["mobilite_saumur"], None),
    ("permis de conduire", ["permis_mans"], None),
    ("sorties culturelles", ["culture_sable"], None),
    ("conseil citoyen", ["citoyen_marseille"], None),
    ("logement", ["logement_lyon"], None),
    ("intergénérationnel", ["interg_saumur"], None),
    # synonyms
    ("aide aux devoirs", ["clas_angers", "soutien_lille", "clas_rennes"], None),
    ("soutien scolaire", ["soutien_lille", "clas_angers", "clas_rennes"], None),
    ("CLAS", ["clas_angers", "clas_rennes", "soutien_lille"], None),
    ("informatique", ["numerique_roubaix", "numerique_angers", "ordi_bus"], None),
    ("ordinateur", ["numerique_roubaix", "numerique_angers", "ordi_bus"], None),
    ("numérique", ["numerique_roubaix", "numerique_angers", "ordi_bus"], None),
    ("personnes âgées", ["seniors_cholet", "seniors_marseille"], None),
    ("seniors", ["seniors_cholet", "seniors_marseille"], None),
    ("parentalité", ["parent_lyon", "parent_mans"], None),
    ("FLE", ["fle_lille", "alpha_cholet"], None),
    ("covoiturage", ["mobilite_saumur", "permis_mans"], None),
    ("écrivain public", ["droits_layon"], None),
    ("solitude", ["isolement_rennes"], None),
    # typos and spellings
    ("jardin partagée", ["jardin_angers", "jardin_lyon"], None),
    ("alphabetisation", ["alpha_cholet", "fle_lille"], None),
    ("epicerie solidair", ["epicerie_roubaix"], None),
    ("POTAGÉ", ["potager_sable"], None),
    ("informatik", ["numerique_roubaix"], None),  # no match: the suggestions come first
    # publics
    ("ados", ["ados_angers", "jeunes_roubaix"], None),
    ("personnes en situation de handicap", ["handicap_marseille"], None),
    ("vacances familles", ["vacances_rennes"], None),
]


def build():
    """Creates the catalogue; returns {fiche key: Action}."""
    structures = {}
    for key, (nom, departement, commune, served) in STRUCTURES.items():
        structure = StructureFactory(
            nom=nom,
            departement=Departement.objects.get(code=departement),
            commune=Commune.objects.get(code=commune),
            itinerante=bool(served),
        )
        if served:
            structure.communes_desservies.set(Commune.objects.filter(code__in=served))
        structures[key] = structure
    publics = {public.libelle: public for public in Public.objects.all()}
    actions = {}
    for key, (structure, titre, resume, mots_cles, public) in FICHES.items():
        actions[key] = ActionFactory(
            titre=titre,
            resume=resume,
            structure=structures[structure],
            mots_cles=mots_cles,
            public=publics[public],
        )
    assert MotCle.objects.exists()
    return actions


def ranked(text, limit=5):
    """The titles of the first `limit` fiches the list shows for `text`: its results, or, when nothing matches,
    the fiches it suggests."""
    from actions import search

    filterset = ActionFilterSet({"q": text})
    titles = list(filterset.qs.values_list("titre", flat=True)[:limit])
    if not titles and filterset.query:
        titles = [s.label for s in search.suggestions(filterset.query) if s.kind == "action"][:limit]
    return titles


def in_place(text, place):
    """Whether every result of `text` is in `place` (a commune's INSEE code or a département's code)."""
    filterset = ActionFilterSet({"q": text})
    for structure in Structure.objects.filter(pk__in=filterset.qs.values("structure")):
        communes = {structure.commune.code} | set(structure.communes_desservies.values_list("code", flat=True))
        departements = {code[:2] for code in communes} | {structure.departement.code}
        if place not in (communes if len(place) == 5 else departements):
            return False
    return True


def precision_at_5(actions):
    """The mean, over the queries, of the share of the first five results that are expected (out of the expected
    ones when there are fewer than five)."""
    title_of = {key: action.titre for key, action in actions.items()}
    total = 0.0
    for text, expected, _place in QUERIES:
        wanted = {title_of[key] for key in expected}
        found = ranked(text)
        total += len(wanted & set(found)) / min(5, len(wanted))
    return total / len(QUERIES)
