"""A small catalogue whose fiches fill every field, for the open-data tests (exports, feed, API, sitemap)."""

from types import SimpleNamespace

from actions.models import FICHE_FIELDS, Action, Dimension, Initiative, Partenaire, Public, Statut, Territoire
from structures.models import Departement
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


def full_action(titre, structure, *, mots_cles=("Culture",), **overrides):
    """A published action with every fiche field filled, free text with commas, quotes, « ; » and line breaks."""
    fields = {
        "fichiers_associes": "compte-rendu.pdf\naffiche.png",
        "statut": Statut.objects.get(libelle="En cours"),
        "dimension": Dimension.objects.get(libelle="Citoyenneté"),
        "resume": f'{titre} : un résumé, avec « guillemets » et "doubles" ; sur deux lignes.\n- un point',
        "precision_initiative": "Les habitants du quartier",
        "territoire": Territoire.objects.get(libelle="Un quartier"),
        "description_experience": "Objectifs :\n- se rencontrer\n- agir ensemble",
        "public": Public.objects.get(libelle="Tous publics"),
        "description_generale": "Une action menée toute l’année.",
        "ressources_financieres": "43 700 €",
        "nombre_personnes": "environ 30",
        "resultat_territoire": "Des liens entre voisins.",
        "resultat_centre": "De nouveaux bénévoles.",
        "resultat_habitants": "Plus de confiance.",
        "limites": "Le temps.",
        "perspectives": "Continuer en 2027.",
        **overrides,
    }
    action = ActionFactory(titre=titre, structure=structure, mots_cles=list(mots_cles), **fields)
    action.initiatives.set(Initiative.objects.filter(libelle__in=["Le centre social", "Un groupe d'habitants"]))
    action.partenaires.set(Partenaire.objects.filter(libelle__in=["Caf", "Commune"]))
    return action


def build_catalogue():
    """Three published actions in Maine-et-Loire (49) and Sarthe (72), one draft and one submitted action."""
    angers = StructureFactory(nom="Centre Angers", departement=Departement.objects.get(code="49"))
    le_mans = StructureFactory(nom="Centre Le Mans", departement=Departement.objects.get(code="72"))
    hidden = StructureFactory(nom="Centre sans action publiée", departement=Departement.objects.get(code="59"))
    services = Dimension.objects.get(libelle="Services")
    actions = SimpleNamespace(
        jardin=full_action("Jardin partagé", angers, mots_cles=["Environnement", "Culture"]),
        fete=full_action("Fête de quartier", angers, mots_cles=["Culture"], statut=None, territoire=None),
        atelier=full_action("Atelier numérique", le_mans, mots_cles=["Santé"], dimension=services),
        draft=full_action("Brouillon caché", angers, state=Action.State.BROUILLON),
        submitted=full_action("Soumise cachée", hidden, state=Action.State.SOUMISE),
    )
    return SimpleNamespace(structures=SimpleNamespace(angers=angers, le_mans=le_mans, hidden=hidden), actions=actions)


def snapshot(action):
    """Every field a fiche has, many-to-many included, as comparable values."""
    action = Action.objects.get(pk=action.pk)
    values = {"titre": action.titre, "slug": action.slug, "structure": action.structure_id, "state": action.state}
    for name in FICHE_FIELDS:
        field = Action._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(action, name).values_list("pk", flat=True))
        elif field.is_relation:
            values[name] = getattr(action, f"{name}_id")
        else:
            values[name] = getattr(action, name)
    return values
