"""SIRET, telephone and postcode: normalisation and checks, no database."""

import pytest
from django.core.exceptions import ValidationError

from structures.validators import (
    luhn_is_valid,
    normalize_code_postal,
    normalize_phone,
    normalize_siret,
    siret_is_valid,
    validate_code_postal,
    validate_phone,
    validate_siret,
)

VALID_SIRET = "73282932000074"  # a real company's head office (SIRENE)
LA_POSTE_SIRET = "35600000049837"  # a La Poste establishment: not Luhn, digit sum 45


class TestSiret:
    @pytest.mark.parametrize(
        "typed",
        ["73282932000074", "732 829 320 00074", " 732829320 00074 ", "732\u00a0829\u00a0320\u00a000074"],
    )
    def test_valid_with_or_without_spaces(self, typed):
        assert normalize_siret(typed) == VALID_SIRET
        validate_siret(typed)  # does not raise

    @pytest.mark.parametrize(
        "typed, code, message",
        [
            ("73282932000075", "siret_checksum", "clé de contrôle est fausse"),  # last digit changed
            ("73282932100074", "siret_checksum", "clé de contrôle est fausse"),  # one digit changed in the SIREN
            ("7328293200007", "siret_length", "vous en avez saisi 13"),
            ("732 829 320 000 745", "siret_length", "vous en avez saisi 15"),
            ("7328293200007A", "siret_length", "14 chiffres"),
            ("732-829-320-00074", "siret_length", "14 chiffres"),
        ],
    )
    def test_invalid(self, typed, code, message):
        with pytest.raises(ValidationError) as error:
            validate_siret(typed)
        assert error.value.code == code
        assert message in error.value.messages[0] and f"« {typed} »" in error.value.messages[0]

    def test_the_full_number_and_the_siren_must_both_pass_luhn(self):
        assert luhn_is_valid("803142249") and not siret_is_valid("80314224900011")  # good SIREN, bad SIRET key
        whole_only = next(
            f"12345678{d}{rest:05d}"
            for d in range(10)
            for rest in range(100)
            if not luhn_is_valid(f"12345678{d}") and luhn_is_valid(f"12345678{d}{rest:05d}")
        )
        assert luhn_is_valid(whole_only) and not siret_is_valid(whole_only)

    def test_la_poste_establishments_follow_their_own_rule(self):
        assert not luhn_is_valid(LA_POSTE_SIRET)
        assert siret_is_valid(LA_POSTE_SIRET)
        validate_siret("356 000 000 49837")
        assert siret_is_valid("35600000000048")  # head office: Luhn
        assert not siret_is_valid("35600000049838")  # digit sum 46

    def test_empty_is_allowed(self):
        validate_siret("")


class TestPhone:
    @pytest.mark.parametrize(
        "typed, stored",
        [
            ("0241000000", "02 41 00 00 00"),
            ("02 41 00 00 00", "02 41 00 00 00"),
            ("02.41.00.00.00", "02 41 00 00 00"),
            ("02-41-00-00-00", "02 41 00 00 00"),
            ("+33 2 41 00 00 00", "02 41 00 00 00"),
            ("+33 (0)2 41 00 00 00", "02 41 00 00 00"),
            ("0033241000000", "02 41 00 00 00"),
            ("06 12 34 56 78", "06 12 34 56 78"),
            ("+262 262 12 34 56", "02 62 12 34 56"),  # La Réunion
            ("+590 590 12 34 56", "05 90 12 34 56"),  # Guadeloupe
        ],
    )
    def test_french_numbers_are_normalised(self, typed, stored):
        assert normalize_phone(typed) == stored
        validate_phone(typed)

    @pytest.mark.parametrize("typed", ["12345", "00 41 00 00 00", "+44 20 7946 0000", "02 41 00 00 0", "accueil"])
    def test_other_numbers_are_refused(self, typed):
        with pytest.raises(ValidationError) as error:
            validate_phone(typed)
        assert "10 chiffres commençant par 0" in error.value.messages[0]
        assert normalize_phone(typed) == typed.strip()  # left as typed, for the message


class TestCodePostal:
    @pytest.mark.parametrize("typed, stored", [("49000", "49000"), ("49 000", "49000"), (" 69100 ", "69100")])
    def test_spaces_are_dropped(self, typed, stored):
        assert normalize_code_postal(typed) == stored
        validate_code_postal(normalize_code_postal(typed))

    @pytest.mark.parametrize("typed", ["4900", "490000", "2A004", "49OOO"])
    def test_five_digits(self, typed):
        with pytest.raises(ValidationError, match="5 chiffres"):
            validate_code_postal(typed)
