import io
from pathlib import Path

import pytest
from django.core.management import call_command

from structures.models import CodePostal, Commune, Departement, Region
from structures.referentiels import match_commune, read_communes


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


SOURCE_MD = (Path(__file__).resolve().parents[2] / "fixtures" / "referentiels" / "SOURCE.md").read_text()


@pytest.mark.django_db
class TestCommunes:
    def test_all_communes_are_loaded_by_the_migrations_with_their_source_date(self):
        source = read_communes()
        assert (source["source"], source["date"]) == ("@etalab/decoupage-administratif 6.0.0", "2026-04-09")
        assert source["count"] == len(source["communes"]) == 34_875
        assert Commune.objects.count() == 34_875
        assert CodePostal.objects.count() == 35_359
        assert "**34 875 communes**" in SOURCE_MD and "**2026-04-09**" in SOURCE_MD

    @pytest.mark.parametrize(
        "code, nom, departement, postcodes",
        [
            ("49007", "Angers", "49", ["49000", "49100"]),
            ("69266", "Villeurbanne", "69", ["69100"]),
            ("2A004", "Ajaccio", "2A", ["20000", "20090", "20167"]),
            ("97411", "Saint-Denis", "974", ["97400", "97417", "97490"]),
            ("97611", "Mamoudzou", "976", ["97600", "97605"]),
        ],
    )
    def test_communes_their_departement_and_postcodes(self, code, nom, departement, postcodes):
        commune = Commune.objects.select_related("departement").get(code=code)
        assert (commune.nom, commune.departement.code, commune.departement_code) == (nom, departement, departement)
        assert list(commune.codes_postaux.values_list("code", flat=True)) == postcodes

    def test_paris_lyon_and_marseille_carry_their_arrondissements_postcodes(self):
        assert Commune.objects.get(code="75056").codes_postaux.filter(code__in=["75011", "75116"]).count() == 2
        assert Commune.objects.get(code="69123").codes_postaux.filter(code="69003").exists()
        assert Commune.objects.get(code="13055").codes_postaux.count() == 16
        # Arrondissements municipaux and communes déléguées are not communes of their own here.
        assert not Commune.objects.filter(code__in=["75111", "69383", "13201"]).exists()
        assert not Commune.objects.filter(departement__code__in=["975", "987", "988"]).exists()

    def test_reloading_is_idempotent_repairs_edits_and_never_deletes_a_commune(self):
        angers = Commune.objects.get(code="49007")
        Commune.objects.filter(pk=angers.pk).update(nom="Angers (modifié)")
        angers.codes_postaux.filter(code="49100").delete()
        CodePostal.objects.create(commune=angers, code="49999")
        gone = Commune.objects.create(code="49999", nom="Commune disparue", departement=angers.departement)
        out = io.StringIO()
        call_command("load_referentiels", stdout=out)
        output = out.getvalue()
        assert "communes : 0 créée(s), 1 mise(s) à jour" in output
        assert "codes postaux : 1 ajouté(s), 1 retiré(s)" in output
        assert "@etalab/decoupage-administratif 6.0.0 du 2026-04-09, 34875 communes" in output
        angers.refresh_from_db()
        assert (angers.nom, angers.nom_cle) == ("Angers", "angers")
        assert list(angers.codes_postaux.values_list("code", flat=True)) == ["49000", "49100"]
        assert Commune.objects.filter(pk=gone.pk).exists()
        out = io.StringIO()
        call_command("load_referentiels", stdout=out)
        assert "communes : 0 créée(s), 0 mise(s) à jour" in out.getvalue()
        assert "codes postaux : 0 ajouté(s), 0 retiré(s)" in out.getvalue()

    @pytest.mark.parametrize(
        "text, code",
        [("saint etienne", "42218"), ("SAINT-ÉTIENNE", "42218"), ("69003", "69123"), ("49007", "49007")],
    )
    def test_search_by_name_postcode_or_code(self, text, code):
        assert code in Commune.objects.search(text).values_list("code", flat=True)

    def test_match_commune_in_a_departement(self):
        maine_et_loire = Departement.objects.get(code="49")
        assert match_commune(Commune, "ANGERS", maine_et_loire.pk).code == "49007"
        assert match_commune(Commune, "Villeurbanne", maine_et_loire.pk) is None
        # Homonyms in one département are told apart by their postcode, or not matched at all.
        loire = Departement.objects.get(code="42")
        twins = [Commune.objects.create(code=code, nom="Jumelle", departement=loire) for code in ("42998", "42999")]
        CodePostal.objects.create(commune=twins[1], code="42600")
        assert match_commune(Commune, "Jumelle", loire.pk) is None
        assert match_commune(Commune, "Jumelle", loire.pk, "42600") == twins[1]
