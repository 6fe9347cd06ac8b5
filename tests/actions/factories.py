import factory

from actions.models import Action, Dimension, MotCle
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
