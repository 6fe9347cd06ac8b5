"""A structure's identity: commune and postcode against the référentiel, normalised numbers, what is missing,
where it is present."""

import pytest
from django.core.exceptions import ValidationError

from structures.models import Departement, Presence, Structure
from tests.structures.factories import StructureFactory, commune


def departement(code):
    return Departement.objects.get(code=code)


def located(code_insee, code_postal="", departement_code=None):
    """An unsaved structure in a commune, by default in the commune's département."""
    place = commune(code_insee)
    return StructureFactory.build(
        departement=departement(departement_code or place.departement_code), commune=place, code_postal=code_postal
    )


def clean_errors(structure):
    with pytest.raises(ValidationError) as error:
        structure.full_clean()
    return error.value.message_dict


@pytest.mark.django_db
class TestAddress:
    def test_a_postcode_of_the_commune_is_accepted(self):
        structure = located("69123", "69 003")
        structure.full_clean()
        assert structure.code_postal == "69003"

    def test_paris_75011(self):
        located("75056", "75011").full_clean()

    def test_a_postcode_of_another_commune_is_refused_with_the_communes_postcodes(self):
        structure = located("69266", "69003")
        assert clean_errors(structure) == {
            "code_postal": [
                "Le code postal 69003 n’appartient pas à Villeurbanne (69100) : corrigez le code postal ou la commune."
            ]
        }

    def test_a_commune_outside_the_structures_departement_is_refused(self):
        structure = located("69266", "69100", departement_code="49")
        message = clean_errors(structure)["commune"][0]
        assert message.startswith("La commune Villeurbanne est dans le département 69, pas dans celui de la structure")

    def test_the_only_postcode_of_a_commune_is_filled_in(self):
        structure = located("69266")
        structure.full_clean()
        assert structure.code_postal == "69100"
        lyon = located("69123")
        lyon.full_clean()  # several postcodes: left for the staff to choose (listed as missing)
        assert lyon.code_postal == "" and "code postal" in lyon.missing_identity_fields()

    def test_a_postcode_needs_its_commune(self):
        assert clean_errors(StructureFactory.build(code_postal="49000")) == {
            "commune": ["Indiquez la commune du code postal 49000."]
        }

    @pytest.mark.parametrize("postcode", ["4900", "49 0000", "ABCDE"])
    def test_malformed_postcodes(self, postcode):
        structure = located("49007", postcode)
        assert "5 chiffres" in clean_errors(structure)["code_postal"][0]


@pytest.mark.django_db
class TestNumbers:
    def test_siret_and_telephone_are_stored_normalised(self):
        structure = StructureFactory.build(siret="732 829 320 00074", telephone="+33 2 41 00 00 00")
        structure.full_clean()
        structure.save()
        structure.refresh_from_db()
        assert (structure.siret, structure.telephone) == ("73282932000074", "02 41 00 00 00")
        assert structure.siret_display == "732 829 320 00074"

    def test_one_message_per_bad_number(self):
        errors = clean_errors(StructureFactory.build(siret="732 829 320 000 745 12", telephone="02 41"))
        assert errors["siret"] == [
            "Le SIRET « 73282932000074512 » doit compter 14 chiffres (les espaces sont permis) : "
            "vous en avez saisi 17. Recopiez-le depuis l’avis de situation au répertoire SIRENE."
        ]
        assert len(errors["telephone"]) == 1 and "n’est pas un numéro de téléphone français" in errors["telephone"][0]


@pytest.mark.django_db
class TestMissingIdentity:
    def test_an_imported_structure_misses_everything_but_its_name_and_departement(self):
        structure = Structure.objects.create(nom="Centre importé", departement=departement("49"))
        assert structure.missing_identity_fields() == [
            "type de structure",
            "adresse",
            "commune",
            "code postal",
            "téléphone",
            "adresse électronique",
            "SIRET",
            "mode de gestion",
            "type de territoire",
            "population du territoire",
            "adhérente à la fédération",
            "date du premier agrément CAF",
            "située en quartier prioritaire (QPV)",
        ]

    def test_a_complete_structure_misses_nothing_and_false_is_an_answer(self):
        structure = StructureFactory(
            adresse="1 rue des Lices",
            commune=commune("49007"),
            code_postal="49100",
            telephone="02 41 00 00 00",
            email="accueil@example.org",
            siret="73282932000074",
            mode_gestion=Structure.ModeGestion.ASSOCIATIF,
            type_territoire=Structure.TypeTerritoire.URBAIN,
            population=12_000,
            membre_federation=False,
            date_premier_agrement="1998-09-01",
            qpv=False,
        )
        assert structure.missing_identity_fields() == []
        structure.itinerante = True
        assert structure.missing_identity_fields() == ["communes desservies"]

    def test_a_federation_has_no_caf_agrement_nor_membership(self):
        missing = StructureFactory(kind=Structure.Kind.FEDERATION).missing_identity_fields()
        assert "date du premier agrément CAF" not in missing and "adhérente à la fédération" not in missing


@pytest.mark.django_db
class TestPresence:
    def test_an_itinerant_structure_is_present_where_it_serves(self):
        bus = StructureFactory(nom="Bus social", itinerante=True, communes_desservies=["72181", "53130", "49007"])
        sedentary = StructureFactory(nom="Sédentaire", communes_desservies=["44109"])  # not itinerant: ignored
        assert set(Presence.objects.filter(structure=bus).values_list("departement__code", flat=True)) == {
            "49",
            "53",
            "72",
        }
        for code in ("49", "53", "72"):
            assert bus in Structure.objects.present_in([departement(code)])
        assert bus not in Structure.objects.present_in([departement("44")])
        assert sedentary not in Structure.objects.present_in([departement("44")])
        assert list(Structure.objects.present_in(Departement.objects.filter(code__in=["49", "72"]))) == [bus, sedentary]
