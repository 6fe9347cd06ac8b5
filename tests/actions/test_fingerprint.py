"""The imported fingerprint is written piece by piece (texts serialized in the reader thread): it must stay the
digest of the whole content's JSON that every fingerprint stored before was, or each re-import would take the
catalogue's fiches for fiches edited since their import."""

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from actions.fiches.loader import fingerprint

KEYS = st.text(min_size=1, max_size=12)
VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(),  # accents, quotes, backslashes, control characters, surrogates-free unicode
    st.lists(st.integers(min_value=1), max_size=5),
)


def stored_definition(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@given(st.dictionaries(KEYS, VALUES, max_size=25), st.data())
def test_fingerprint_is_the_digest_of_the_sorted_json(content, data):
    assert fingerprint(content) == stored_definition(content)
    # Any part of the values given already serialized.
    given_keys = data.draw(st.sets(st.sampled_from(sorted(content))) if content else st.just(set()))
    serialized = {key: json.dumps(content[key], ensure_ascii=False) for key in given_keys}
    assert fingerprint(content, serialized) == stored_definition(content)


def test_a_changed_text_changes_the_fingerprint():
    content = {"titre": "Jardin partagé", "resume": "« Un lieu »", "structure": 3, "mots_cles": [1, 2]}
    assert fingerprint(content) != fingerprint({**content, "resume": "« Un autre lieu »"})
