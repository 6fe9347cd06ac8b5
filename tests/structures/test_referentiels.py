import io

import pytest
from django.core.management import call_command

from structures.models import Departement, Region


@pytest.mark.django_db
class TestReferentiel:
    def test_all_regions_and_departements_are_loaded_by_the_migrations(self):
        assert Region.objects.count() == 18
        assert Departement.objects.count() == 101

    @pytest.mark.parametrize(
        "code,nom,region",
        [
            ("01", "Ain", "Auvergne-Rhône-Alpes"),
            ("2A", "Corse-du-Sud", "Corse"),
            ("2B", "Haute-Corse", "Corse"),
            ("49", "Maine-et-Loire", "Pays de la Loire"),
            ("64", "Pyrénées-Atlantiques", "Nouvelle-Aquitaine"),
            ("75", "Paris", "Île-de-France"),
            ("95", "Val-d'Oise", "Île-de-France"),
            ("971", "Guadeloupe", "Guadeloupe"),
            ("973", "Guyane", "Guyane"),
            ("974", "La Réunion", "La Réunion"),
            ("976", "Mayotte", "Mayotte"),
        ],
    )
    def test_departement_codes_names_and_regions(self, code, nom, region):
        departement = Departement.objects.select_related("region").get(code=code)
        assert (departement.nom, departement.region.nom) == (nom, region)

    def test_no_code_20_and_no_overseas_collectivity(self):
        assert not Departement.objects.filter(code__in=["20", "975", "977", "988"]).exists()

    def test_every_region_has_departements(self):
        assert not Region.objects.filter(departements__isnull=True).exists()
        assert Region.objects.get(code="84").departements.count() == 12

    def test_reloading_is_idempotent_and_repairs_edits(self):
        Departement.objects.filter(code="49").update(nom="Maine et Loire (modifié)")
        out = io.StringIO()
        call_command("load_referentiels", stdout=out)
        assert "départements : 0 créé(s), 1 mis à jour" in out.getvalue()
        assert Departement.objects.get(code="49").nom == "Maine-et-Loire"
        assert Departement.objects.count() == 101
        assert Region.objects.count() == 18


@pytest.mark.django_db
class TestDepartementMatching:
    @pytest.mark.parametrize("text", ["Val-d'Oise", "Val d'Oise", "VAL-D’OISE", "val doise", "VAL D'OISE", " 95 "])
    def test_val_doise_spellings(self, text):
        assert Departement.objects.match(text).code == "95"

    @pytest.mark.parametrize(
        "text,code",
        [("Maine et Loire", "49"), ("Herault", "34"), ("pyrenees atlantiques", "64"), ("2a", "2A"), ("réunion", None)],
    )
    def test_tolerant_names(self, text, code):
        match = Departement.objects.match(text)
        assert (match.code if match else None) == code

    def test_a_code_never_matches_a_longer_code(self):
        assert Departement.objects.match("73").code == "73"
        assert Departement.objects.match("973").code == "973"
        assert Departement.objects.match("97") is None
        assert Departement.objects.match("") is None

    def test_closest_names_for_a_misspelling(self):
        assert Departement.objects.all().closest_names("Maine et Loir")[0] == "Maine-et-Loire"
