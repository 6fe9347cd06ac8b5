"""Text helpers with no database."""

import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def normalize_label(text):
    """Key under which two spellings of one name are the same.

    Case, accents, hyphens, apostrophes, punctuation and spaces are ignored:
    "Val d'Oise", "VAL-D’OISE" and "val doise" all give "valdoise".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))
