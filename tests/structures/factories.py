import factory

from structures.models import Departement, Structure


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Centre social numéro {n}")
    kind = Structure.Kind.CENTRE_SOCIAL
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="49"))
