import random

import factory

from actions.models import Action, Dimension, Initiative, MotCle, Partenaire, Public, Statut, Territoire
from structures.models import Departement
from tests.structures.factories import StructureFactory


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    titre = factory.Sequence(lambda n: f"Action numéro {n}")
    structure = factory.SubFactory(StructureFactory)
    resume = "Un résumé de l’action."
    state = Action.State.PUBLIEE
    dimension = factory.LazyFunction(lambda: Dimension.objects.get(libelle="Citoyenneté"))

    @factory.post_generation
    def mots_cles(self, create, extracted, **kwargs):
        if create and extracted:
            self.mots_cles.set(MotCle.objects.get_or_create_by_label(label)[0] for label in extracted)


def varied_catalogue(seed):
    """60 actions over 12 structures in 6 départements, every facet sometimes empty, a third not published, drawn
    from `random.Random(seed)`; returns that generator, for the caller's own random choices."""
    rng = random.Random(seed)
    departements = list(Departement.objects.filter(code__in=["49", "72", "59", "13", "75", "974"]))
    structures = [StructureFactory(departement=departement) for departement in departements for _ in range(2)]
    vocabularies = {model: list(model.objects.all()) for model in (Dimension, Statut, Public, Territoire)}
    many = {model: list(model.objects.all()[:6]) for model in (Initiative, Partenaire)}
    for number in range(60):
        action = ActionFactory(
            titre=f"{rng.choice(['Jardin', 'Repas', 'Atelier'])} {number}",
            structure=rng.choice(structures),
            dimension=rng.choice([None, *vocabularies[Dimension]]),
            statut=rng.choice([None, *vocabularies[Statut]]),
            public=rng.choice([None, *vocabularies[Public]]),
            territoire=rng.choice([None, *vocabularies[Territoire]]),
            state=rng.choice([Action.State.PUBLIEE] * 4 + [Action.State.BROUILLON, Action.State.ARCHIVEE]),
            mots_cles=rng.sample(["Culture", "Santé", "Numérique", "Jardin", "Logement"], rng.randint(0, 3)),
        )
        action.initiatives.set(rng.sample(many[Initiative], rng.randint(0, 2)))
        action.partenaires.set(rng.sample(many[Partenaire], rng.randint(0, 3)))
    return rng
