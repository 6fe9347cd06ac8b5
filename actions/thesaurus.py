"""The thesaurus of the field: groups of equivalent expressions (the `Synonyme` table, edited by national staff)
applied to text queries by query expansion.

« aide aux devoirs » becomes `(aide & devoirs) | (accompagnement & scolarite) | clas | (soutien & scolaire)`:
each expression of the query found in a group is replaced by the alternatives of the whole group. The ranking
(`ts_rank`) and the highlighting (`ts_headline`) read the same expanded query, so the words found are marked.

`expand(words, groups)` is pure; `groups()` reads the table once per catalogue snapshot (catalogue/read_model.py;
the table is watched: editing it moves the version and loads a new snapshot, migration 0013).
"""

import re

from fcsf_actions.text import fold

WORD_RE = re.compile(r"[^\W_]+")
MAX_ALTERNATIVES = 12  # per expression of the query: bounds the size of the tsquery


def expression_words(expression, stop_words):
    """« Accompagnement à la scolarité » → ("accompagnement", "scolarite")."""
    return tuple(word for word in WORD_RE.findall(fold(expression)) if word not in stop_words)


def _light(word):
    """Singular and plural alike: « devoirs » is « devoir », « familles » is « famille »."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def compile_groups(groups_of_expressions, stop_words):
    """[[expression, …], …] → a tuple of groups, each a tuple of alternatives (tuples of folded words)."""
    compiled = []
    for expressions in groups_of_expressions:
        alternatives = []
        for expression in expressions:
            words = expression_words(expression, stop_words)
            if words and words not in alternatives:
                alternatives.append(words)
        if len(alternatives) > 1:
            compiled.append(tuple(alternatives[:MAX_ALTERNATIVES]))
    return tuple(compiled)


def expand(words, groups):
    """The query's words as a tuple of items, each a tuple of alternatives (tuples of words): the longest
    expression of a group found at each position is replaced by the group; other words stand alone."""
    light = tuple(_light(word) for word in words)
    items = []
    position = 0
    while position < len(words):
        best_length, best_group = 0, None
        for group in groups:
            for alternative in group:
                length = len(alternative)
                if (
                    length > best_length
                    and tuple(_light(word) for word in alternative) == light[position : position + length]
                ):
                    best_length, best_group = length, group
        if best_group is None:
            items.append(((words[position],),))
            position += 1
        else:
            items.append(best_group)
            position += best_length
    return tuple(items)


def load():
    from actions.models import Synonyme
    from actions.search import STOP_WORDS

    rows = Synonyme.objects.filter(actif=True).order_by("pk")
    return compile_groups([row.expression_list() for row in rows], STOP_WORDS)


def groups():
    """The compiled groups of the current catalogue snapshot (loaded with its first text query)."""
    import catalogue

    return catalogue.snapshot().thesaurus
