import pytest

from actions.models import Action, Dimension, Initiative, Public, Statut, Territoire
from structures.models import Departement
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


@pytest.fixture
def catalogue(db):
    """Published actions in four départements of three régions, with every kind of value, plus unpublished ones.

    Angers (49) and Le Mans (72) are in Pays de la Loire, Lille (59) in Hauts-de-France, Ajaccio (2A) in Corse.
    """
    dimensions = ("Citoyenneté", "Services", "Accompagnement de projets")
    citoyennete, services, projets = (Dimension.objects.get(libelle=label) for label in dimensions)
    en_cours, terminee = Statut.objects.get(libelle="En cours"), Statut.objects.get(libelle="Terminée")
    jeunesse, seniors = Public.objects.get(libelle="Jeunesse"), Public.objects.get(libelle="Seniors")
    quartier = Territoire.objects.get(libelle="Un quartier")
    centre = Initiative.objects.get(libelle="Le centre social")
    habitants = Initiative.objects.get(libelle="Un habitant")
    departements = {code: Departement.objects.get(code=code) for code in ("49", "72", "59", "2A")}
    angers = StructureFactory(nom="Centre Angers", departement=departements["49"])
    angers_bis = StructureFactory(nom="EVS Angers", departement=departements["49"])
    le_mans = StructureFactory(nom="Centre Le Mans", departement=departements["72"])
    lille = StructureFactory(nom="Centre Lille", departement=departements["59"])
    ajaccio = StructureFactory(nom="Centre Ajaccio", departement=departements["2A"])
    StructureFactory(nom="Centre sans action", departement=departements["59"])

    def action(structure, dimension, statut=None, public=None, mots_cles=(), initiatives=(), **kwargs):
        created = ActionFactory(
            structure=structure,
            dimension=dimension,
            statut=statut,
            public=public,
            territoire=kwargs.pop("territoire", None),
            mots_cles=list(mots_cles),
            **kwargs,
        )
        created.initiatives.set(initiatives)
        return created

    action(angers, citoyennete, en_cours, jeunesse, ["Parentalité", "Culture"], [centre], titre="Jardin partagé")
    action(angers, citoyennete, terminee, seniors, ["Parentalité"], [centre, habitants], territoire=quartier)
    action(angers_bis, services, en_cours, jeunesse, ["Culture"], [habitants])
    action(angers_bis, None, en_cours, None, [])  # no dimension: its own column
    action(le_mans, services, en_cours, seniors, ["Parentalité", "Santé"], [centre])
    action(le_mans, projets, terminee, None, ["Santé"], [])
    action(lille, citoyennete, en_cours, jeunesse, ["Parentalité"], [habitants], territoire=quartier)
    action(lille, citoyennete, en_cours, None, ["Culture"], [centre])
    action(ajaccio, projets, None, seniors, ["Parentalité"], [centre])
    for state in (Action.State.BROUILLON, Action.State.SOUMISE, Action.State.ARCHIVEE):
        action(lille, citoyennete, en_cours, jeunesse, ["Parentalité"], [centre], state=state)
        action(ajaccio, services, en_cours, jeunesse, ["Parentalité"], [centre], state=state)
    return departements
