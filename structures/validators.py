"""Identity numbers of a structure: normalisation and checks, no database.

Each `normalize_*` function turns what someone typed into the stored form (or returns it unchanged when it cannot
make sense of it, so that the matching `validate_*` says why); each `validate_*` raises a `ValidationError` whose
French message says what is wrong and what to do.
"""

import re

from django.core.exceptions import ValidationError

# Typed separators we accept and drop: spaces (including non-breaking ones), dots, dashes, slashes, parentheses.
SEPARATORS_RE = re.compile(r"[\s.\-/()]+")

# La Poste's establishments share the SIREN 356 000 000: their SIRET follow their own rule (see `siret_is_valid`).
LA_POSTE_SIREN = "356000000"

# Country codes whose numbers are French national numbers once written with a leading 0: metropolitan France,
# La Réunion and Mayotte, Guadeloupe, Guyane, Martinique.
FRENCH_COUNTRY_CODES = ("33", "262", "590", "594", "596")
PHONE_RE = re.compile(r"0[1-9]\d{8}")


def luhn_is_valid(digits):
    """The Luhn checksum (the SIREN's and SIRET's key): every second digit from the right doubled."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def normalize_siret(text):
    """« 123 456 789 00012 » → « 12345678900012 »; anything else is only stripped of its spaces."""
    return re.sub(r"\s+", "", text or "")


def siret_is_valid(siret):
    """14 digits whose SIREN (the first 9) and whole number pass the Luhn check.

    Exception: La Poste's establishments (SIREN 356 000 000) are numbered in sequence, and their SIRET is valid
    when the sum of its digits is a multiple of 5 (INSEE rule); the head office's passes Luhn as well.
    """
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_is_valid(siret) or sum(int(digit) for digit in siret) % 5 == 0
    return luhn_is_valid(siret[:9]) and luhn_is_valid(siret)


def validate_siret(value):
    siret = normalize_siret(value)
    if not siret:
        return
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        raise ValidationError(
            f"Le SIRET « {value} » doit compter 14 chiffres (les espaces sont permis) : vous en avez saisi "
            f"{sum(char.isdigit() for char in siret)}. Recopiez-le depuis l’avis de situation au répertoire SIRENE.",
            code="siret_length",
        )
    if not siret_is_valid(siret):
        raise ValidationError(
            f"Le SIRET « {value} » n’existe pas : sa clé de contrôle est fausse, un chiffre est sans doute mal "
            "recopié. Vérifiez-le sur annuaire-entreprises.data.gouv.fr.",
            code="siret_checksum",
        )


def normalize_phone(text):
    """A French number in its usual written form: « +33 (0)1.23.45.67.89 » → « 01 23 45 67 89 ».

    Accepts the national form (10 digits starting with 0) and the international one (+33, 0033, and the
    overseas departments' +262, +590, +594, +596). Returns the stripped input when it is not such a number.
    """
    stripped = (text or "").strip()
    digits = SEPARATORS_RE.sub("", stripped)
    if digits.startswith("+"):
        digits = "00" + digits[1:]
    for country in FRENCH_COUNTRY_CODES:
        prefix = "00" + country
        if digits.startswith(prefix):
            rest = digits[len(prefix) :]
            # « +33 (0)1 23… »: the (0) some people keep after the country code.
            digits = "0" + (rest[1:] if rest.startswith("0") and len(rest) == 10 else rest)
            break
    if not PHONE_RE.fullmatch(digits):
        return stripped
    return " ".join(digits[index : index + 2] for index in range(0, 10, 2))


def validate_phone(value):
    if value and not PHONE_RE.fullmatch(normalize_phone(value).replace(" ", "")):
        raise ValidationError(
            f"Le numéro « {value} » n’est pas un numéro de téléphone français : saisissez 10 chiffres commençant "
            "par 0 (p. ex. 01 23 45 67 89) ou le numéro international (+33 1 23 45 67 89).",
            code="phone",
        )


def normalize_code_postal(text):
    """« 69 003 » → « 69003 »."""
    return "".join((text or "").split())


def validate_code_postal(value):
    if value and not re.fullmatch(r"\d{5}", value):
        raise ValidationError(
            f"Le code postal « {value} » doit compter 5 chiffres (p. ex. 49000).", code="code_postal_format"
        )
