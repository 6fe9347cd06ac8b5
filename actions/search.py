"""Text search over actions, in PostgreSQL.

- `SearchQuery.parse(text)` splits what the visitor typed into words (stop words dropped, bounded in number and
  length, accents kept for display).
- `filter_actions(queryset, query)`: the actions matching every word, the last one as a prefix.
- `order_by_relevance(queryset, query)`: best matches first, then most recent, then pk.
- `add_snippets(actions, query)`: sets `action.snippet`, safe HTML with the matched words in `<mark>`.
- `suggestions(query)`: when nothing matches, the closest published titles and mots-clés (typing errors).

The weighted `actions_search.document` (see migration 0003_search, kept current by triggers), the
`french_unaccent` configuration, `ts_rank`, `ts_headline`, trigram similarity.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils.html import escape
from django.utils.safestring import mark_safe

from fcsf_actions.text import fold

MAX_WORDS = 8
MAX_WORD_LENGTH = 40

# French stop words, unaccented: `unaccent` runs before `french_stem`, so the stemmer no longer recognises
# accented ones (« à » → « a », « été » → « ete ») and they would match almost every document.
STOP_WORDS = frozenset(
    """a ai au aux avec c ce ces cet cette d dans de des du elle en est et ete etre eu il ils je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son
    sur t ta te tes toi ton tu un une vos votre vous y""".split()
)

MARK_START, MARK_END = "\x02", "\x03"  # sentinels: the text is escaped first, then they become <mark>…</mark>


WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    text: str  # what was typed, trimmed
    words: tuple  # folded words, stop words removed; the last one is matched as a prefix
    # The words after the thesaurus (actions/thesaurus.py): one item per expression, each a tuple of alternatives
    # (tuples of words). Empty: the words as they are.
    items: tuple = ()
    stop_words_only: bool = False  # something was typed, but only stop words (« le », « été »)

    @classmethod
    def parse(cls, text, *, groups=(), words_of=None):
        """`groups`: the thesaurus (thesaurus.groups(), or a function giving it, called only if there are words) to
        expand the words with; `words_of`: the text the words
        come from when it is not all of `text` (a place taken out of it, see actions/places.py)."""
        text = " ".join((text or "").split())
        source = text if words_of is None else words_of
        words = []
        for word in WORD_RE.findall(fold(source)):
            if word not in STOP_WORDS and word not in words:
                words.append(word[:MAX_WORD_LENGTH])
        words = tuple(words[:MAX_WORDS])
        items = ()
        if groups and words:
            from actions import thesaurus

            items = thesaurus.expand(words, groups() if callable(groups) else groups)
            if all(len(item) == 1 for item in items):
                items = ()  # nothing expanded
        stop_words_only = not words and bool(WORD_RE.search(source))
        return cls(text=text, words=words, items=items, stop_words_only=stop_words_only)

    def __bool__(self):
        return bool(self.words)

    @property
    def literal_tsquery(self):
        """The words as typed, every one required, the last as a prefix: what the thesaurus expands."""
        *head, last = self.words
        return " & ".join([*head, f"{last}:*"])

    @property
    def tsquery(self):
        """A `to_tsquery` argument: words are alphanumeric only, so no operator can be injected. The last word is a
        prefix (typing in progress) unless the thesaurus expanded it."""
        if not self.items:
            return self.literal_tsquery
        parts = []
        for position, alternatives in enumerate(self.items):
            if len(alternatives) == 1 and len(alternatives[0]) == 1:
                word = alternatives[0][0]
                parts.append(f"{word}:*" if position == len(self.items) - 1 else word)
                continue
            ors = [" & ".join(words) if len(words) == 1 else f"({' & '.join(words)})" for words in alternatives]
            parts.append(f"({' | '.join(ors)})")
        return " & ".join(parts)

    @property
    def expanded_terms(self):
        """The other expressions the thesaurus searched too, for the page to say so."""
        terms = []
        for alternatives in self.items:
            if len(alternatives) > 1:
                terms += [" ".join(words) for words in alternatives]
        return terms


# ── matching ───────────────────────────────────────────────────────────────────────────────────────────────


def filter_actions(queryset, query):
    if not query:
        return queryset
    return queryset.filter(pk__in=RawSQL(MATCHING_SQL, [query.tsquery]))


# The function of migration 0010: the GIN index, never a scan of every document.
MATCHING_SQL = "SELECT actions_search_matching(to_tsquery('french_unaccent', %s))"


def matching_ids(query):
    """The ids of the actions matching `query`, of any state (a caller that keeps only the ids it knows saves the
    join). Read as one array rather than a row per id: 5 ms less for 9,300 matches at 100,000 actions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(id) FROM actions_search_matching(to_tsquery('french_unaccent', %s)) AS id",
            [query.tsquery],
        )
        return cursor.fetchone()[0] or []


# ── ranking ────────────────────────────────────────────────────────────────────────────────────────────────


# Above this many matches, exact ranking costs more than the page is worth (PERF: 450–800 ms at 45,000 matches).
RANK_LIMIT = 2000


def order_by_relevance(queryset, query):
    if not query:
        return queryset.newest_first()
    # With the thesaurus, the fiches that have the very words typed come before those found only through a synonym
    # (+1: more than any ts_rank). About 10 ms more at 1,900 matches (the document is read again).
    literal = "+ (s.document @@ to_tsquery('french_unaccent', %s))::int" if query.items else ""
    relevance = RawSQL(
        f"SELECT ts_rank(s.document, to_tsquery('french_unaccent', %s)) {literal} FROM actions_search s "
        f"WHERE s.action_id = {queryset.model._meta.db_table}.id",
        [query.tsquery, query.literal_tsquery] if query.items else [query.tsquery],
    )
    return queryset.annotate(relevance=relevance).order_by("-relevance", "-published_at", "-pk")


TITLE_MATCHING_SQL = (
    "SELECT id FROM actions_action WHERE state = 'publiee' AND "
    "to_tsvector('french_unaccent', titre) @@ to_tsquery('french_unaccent', %s)"
)


def title_matching_ids(query, among=None):
    """The ids of the published actions whose title has every word of `query` (the GIN index of migration 0008);
    with `among` (ids), of those actions only: their titles read by primary key."""
    with connection.cursor() as cursor:
        if among is None:
            cursor.execute(f"SELECT array_agg(id) FROM ({TITLE_MATCHING_SQL}) AS title_matching", [query.tsquery])
        else:
            # Materialized: the planner would otherwise also scan the title index (4,300 rows for « jardin
            # partagé » at 100,000 actions) to intersect it with these few.
            cursor.execute(
                "WITH among AS MATERIALIZED (SELECT id, titre FROM actions_action WHERE id = ANY(%s) AND "
                "state = 'publiee') SELECT array_agg(id) FROM among "
                "WHERE to_tsvector('french_unaccent', titre) @@ to_tsquery('french_unaccent', %s)",
                [list(among), query.tsquery],
            )
        return cursor.fetchone()[0] or []


def order_broad(queryset, query):
    """For queries matching too many actions to rank them all (see RANK_LIMIT): the actions whose *title* has every
    word first, then the others, newest first in each group. Close to the exact ranking's first page (the title
    weighs most) at a fraction of its cost: `ts_rank` reads the whole document of every match."""
    if not query:
        return queryset.newest_first()
    in_title = RawSQL(
        f"{queryset.model._meta.db_table}.id IN ({TITLE_MATCHING_SQL})", [query.tsquery], output_field=BooleanField()
    )
    return queryset.annotate(relevance=in_title).order_by("-relevance", "-published_at", "-pk")


# ── snippets ───────────────────────────────────────────────────────────────────────────────────────────────


def _marks_to_html(text):
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - the text was escaped above, only our own tags are added


def add_snippets(actions, query):
    """Sets `snippet` on each action: the passage where the words were found; none without a query (the card
    then shows the start of its résumé)."""
    actions = list(actions)
    if not actions or not query:
        return actions
    with connection.cursor() as cursor:
        cursor.execute(
            # The text loses any sentinel character it holds: only ts_headline's own become <mark>.
            "SELECT id, ts_headline('french_unaccent', translate(concat_ws(' ', resume, description_experience, "
            "description_generale), %s, ''), to_tsquery('french_unaccent', %s), %s) FROM actions_action "
            "WHERE id = ANY(%s)",
            [
                MARK_START + MARK_END,
                query.tsquery,
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                'MaxFragments=2, FragmentDelimiter=" … "',
                [action.pk for action in actions],
            ],
        )
        headlines = dict(cursor.fetchall())
    for action in actions:
        action.snippet = _marks_to_html(headlines.get(action.pk) or "")
    return actions


# ── suggestions ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Suggestion:
    label: str
    kind: str  # "action" (link to the fiche) or "mot_cle" (link to the filtered list)
    slug: str


def suggestions(query, limit=5):
    """The published titles and mots-clés closest to the query, for a query with no hit."""
    if not query:
        return []
    from actions.models import Action, MotCle

    published = Action.objects.published()
    keywords = MotCle.objects.filter(pk__in=published.values("mots_cles"))
    typed = " ".join(query.words)
    titles = (
        published.annotate(similarity=TrigramWordSimilarity(Value(typed), Unaccent(Lower("titre"))))
        .filter(similarity__gte=0.4)
        .order_by("-similarity", "pk")
        .values_list("titre", "slug", "similarity")[:limit]
    )
    labels = (
        keywords.annotate(similarity=TrigramSimilarity(Unaccent(Lower("libelle")), Value(typed)))
        .filter(similarity__gte=0.3)
        .order_by("-similarity", "pk")
        .values_list("libelle", "slug", "similarity")[:limit]
    )
    found = [(sim, Suggestion(t, "action", s)) for t, s, sim in titles]
    found += [(sim, Suggestion(t, "mot_cle", s)) for t, s, sim in labels]
    found.sort(key=lambda pair: (-pair[0], pair[1].label))
    return [suggestion for _score, suggestion in found[:limit]]
