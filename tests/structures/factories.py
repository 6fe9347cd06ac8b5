import factory

from structures.models import Commune, Departement, Structure


def commune(code):
    """A commune of the référentiel (loaded by the migrations) by its INSEE code: « 49007 » is Angers."""
    return Commune.objects.get(code=code)


class StructureFactory(factory.django.DjangoModelFactory):
    """A structure as the fiche import creates it (name, département, kind); identity fields given when needed."""

    class Meta:
        model = Structure
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Centre social numéro {n}")
    kind = Structure.Kind.CENTRE_SOCIAL
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="49"))

    @factory.post_generation
    def communes_desservies(self, create, codes, **kwargs):
        """`communes_desservies=["72181", …]`: INSEE codes of the communes an itinerant structure serves."""
        if create and codes:
            self.communes_desservies.set(Commune.objects.filter(code__in=codes))
