"""Every public URL × hostile query strings: never a 500, never a marker reflected unescaped in a page.

The targets are read from the URL resolver (everything but the admin, whose login page is kept), so pages added
later are fuzzed without touching this file. Path parameters are real values (a published action's slug, a
département code…) or values generated from the route's converter; query strings mix known filter names and
unknown ones, repeated keys, 10 KB values, NUL bytes, SQL and HTML fragments, right-to-left, zero-width and emoji
characters, and, sent as raw bytes, invalid percent-encodings and invalid UTF-8.

FUZZ_EXAMPLES (default 20) sets the number of cases per target, FUZZ_RANDOM=1 draws new cases instead of the
same ones at every run, FUZZ_REPORT=1 prints how many were tried.
"""

import os
import re
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.filters import ActionFilterSet
from actions.models import Action, MotCle
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# The same cases at every run (a failure in CI is reproducible); FUZZ_RANDOM=1 explores new ones.
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")
MARKERS = ("<script>alert(4242)", "<svg onload=alert(4242)", "<img src=x onerror=alert(4242)")
HOSTILE = [
    "<script>alert(4242)</script>",
    '"><svg onload=alert(4242)>',
    "'><img src=x onerror=alert(4242)>",
    "' OR 1=1--",
    "1; DROP TABLE actions_action;--",
    "1' UNION SELECT password FROM auth_user--",
    "\x00",
    "jardin\x00<script>alert(4242)</script>",
    "jardin\x01\x0b\x1b[31m",  # control characters (not allowed in XML: feeds, sitemaps)
    "\u202ejardin\u202c",  # right-to-left override
    "jar\u200bdin\ufeff",  # zero-width space, BOM
    "🌱🏘️👩‍👩‍👧" * 5,
    "e\u0301te\u0301",  # combining accents
    "%",
    "%zz",
    "%00",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "[]",
    "{}",
    "../../etc/passwd",
    "\\",
    "\r\nSet-Cookie: piege=1",
    "x" * 10_000,
    "é" * 5_000,
]
RAW_FRAGMENTS = [
    "q=%E9t%E9",  # Latin-1 percent-encoded
    "q=%FF%FE%FD",  # invalid UTF-8
    "q=%C3",  # truncated UTF-8 sequence
    "page=%",
    "q=%zz%",
    "%00=%00",
    "q=caf\xe9",  # a raw Latin-1 byte in the query string
    "dimension=\xff\xfe",
    "&&&",
    "=",
    "q",
    ";;q=a;b",
    "q=" + "%41" * 3_000,
]
EXTRA_KEYS = ["page", "q", "tri", "ordre", "format", "limit", "offset", "par_page", "curseur", "champs", "callback"]


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix, namespace, pattern


def public_targets():
    """(label, name or None, converters {kwarg: regex}, prefix, regex) for every public route, and the admin login."""
    targets = []
    for prefix, namespace, pattern in walk(get_resolver().url_patterns):
        name = f"{namespace}{pattern.name}" if pattern.name else None
        if prefix.startswith("admin/") and name != "admin:login":
            continue
        label = prefix + str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern) and name:
            converters = {key: converter.regex for key, converter in pattern.pattern.converters.items()}
            targets.append((label, name, converters, prefix, None))
        else:
            targets.append((label, None, {}, prefix, pattern.pattern.regex.pattern))
    return targets


TARGETS = public_targets()
TRIED = Counter()


@pytest.fixture
def catalogue(db):
    structure = StructureFactory(nom="Centre social <b>Les Tilleuls</b>")
    action = ActionFactory(
        titre="Jardin partagé <script>alert(4242)</script>",
        structure=structure,
        resume="Un jardin ' OR 1=1-- entre voisins <img src=x onerror=alert(4242)>.",
        mots_cles=["Jardin", "Alimentation"],
    )
    ActionFactory(titre="Atelier cuisine", state=Action.State.BROUILLON)
    return {
        "slug": [action.slug, structure.slug, MotCle.objects.first().slug, "inconnu"],
        "code": [structure.departement.code, "2A", "971", "00"],
        "section": ["actions", "structures", "pages", "inconnue"],
        "name": ["mots-cles", "mots_cles", "dimensions", "publics", "inconnu"],
        "nom": ["mots-cles", "mots_cles", "dimensions", "publics", "partenaires", "inconnu"],
    }


def path_strategy(target, pools):
    label, name, converters, prefix, regex = target
    if name is None:
        body = regex.lstrip("^")
        return st.from_regex(re.compile("^" + body), fullmatch=True).map(lambda tail: "/" + prefix + quote(tail))
    if not converters:
        return st.just(reverse(name))
    values = {
        key: st.one_of(
            st.sampled_from(pools.get(key, ["x"])),
            st.from_regex(re.compile(f"^{converter}$"), fullmatch=True).filter(lambda value: len(value) < 300),
        )
        for key, converter in converters.items()
    }
    return st.fixed_dictionaries(values).map(lambda kwargs: reverse(name, kwargs=kwargs))


def query_strategy():
    keys = st.one_of(
        st.sampled_from(sorted(ActionFilterSet.base_filters) + EXTRA_KEYS),
        st.text(max_size=12),
        st.sampled_from(HOSTILE[:12]),
    )
    values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers(-(2**70), 2**70).map(str))
    encoded = st.lists(st.tuples(keys, values), max_size=8).map(lambda pairs: urlencode(pairs))
    raw = st.lists(
        st.one_of(st.sampled_from(RAW_FRAGMENTS), st.binary(max_size=16).map(lambda data: data.decode("latin-1"))),
        max_size=6,
    ).map("&".join)
    return st.one_of(encoded, raw, encoded.map(lambda query: query + "&" + query))  # repeated keys too


def close_quietly(response):
    """Closes a streamed response's file without Django's end-of-request signal: it would close the database
    connection, and with it the test's transaction (as the test client does, see django.test.client)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def body_of(response):
    if not response.streaming:
        return response.content.decode("utf-8", "replace")
    content = b"".join(response.streaming_content)
    close_quietly(response)
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("target", TARGETS, ids=[target[0] for target in TARGETS])
def test_public_url_never_fails_nor_reflects_markup(client, catalogue, target):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(path=path_strategy(target, catalogue), query=query_strategy())
    def fuzz(path, query):
        TRIED[target[0]] += 1
        response = client.get(path, QUERY_STRING=query)
        body = body_of(response)
        assert response.status_code < 500, (path, query, body[:500])
        content_type = response.get("Content-Type", "")
        if "html" in content_type or "xml" in content_type:
            for marker in MARKERS:
                assert marker not in body, (path, query, marker)

    fuzz()
    assert TRIED[target[0]] >= min(EXAMPLES, 5)
    if os.environ.get("FUZZ_REPORT"):
        print(f"\nfuzz {target[0]}: {TRIED[target[0]]} cas")


def test_targets_cover_the_public_site():
    labels = {target[0] for target in TARGETS}
    assert {"", "actions/", "actions/<slug:slug>/", "departements/<str:code>/", "admin/login/"} <= labels
    # Of the back-office, only what a visitor without an account reaches: the login and the password reset pages.
    reachable_signed_out = {
        "admin/login/",
        "admin/password_reset/",
        "admin/password_reset/done/",
        "admin/reset/<uidb64>/<token>/",
        "admin/reset/done/",
    }
    assert reachable_signed_out <= labels
    assert not {label for label in labels if label.startswith("admin/")} - reachable_signed_out


# ── user-provided text is escaped ─────────────────────────────────────────────────────────────────────────────
# No template or view marks user text safe (`|safe`, `mark_safe`, `format_html` only ever wrap escaped values);
# the one piece of generated HTML is the search snippet, whose only tags are the <mark> it adds itself.

HTML_TEXT = '<script>alert(4242)</script><b onclick="x()">gras</b> & <img src=x onerror=alert(4242)>'


@pytest.fixture
def action_with_html(db):
    return ActionFactory(
        titre="Jardin <script>alert(4242)</script>",
        structure=StructureFactory(nom="Centre <svg onload=alert(4242)>"),
        resume=f"Un jardin partagé. {HTML_TEXT}",
        description_experience=f"Les voisins \x02jardinent ensemble\x03\x03 {HTML_TEXT}",
        limites=HTML_TEXT,
        mots_cles=["<i>Jardin</i>"],
    )


def test_fiche_text_with_html_is_escaped_on_every_page(client, action_with_html):
    for url in [
        action_with_html.get_absolute_url(),
        "/actions/",
        "/actions/?q=jardin",
        "/actions/?q=voisins",
        f"/structures/{action_with_html.structure.slug}/",
        "/",
    ]:
        html = body_of(client.get(url))
        for marker in (*MARKERS, "<b onclick", "<i>Jardin</i>"):
            assert marker not in html, (url, marker)
    detail = body_of(client.get(action_with_html.get_absolute_url()))
    assert "&lt;script&gt;alert(4242)&lt;/script&gt;&lt;b onclick=&quot;x()&quot;&gt;gras&lt;/b&gt; &amp;" in detail


@pytest.mark.parametrize("query", ["jardin", "voisins ensemble", "gras"])
def test_search_snippets_hold_no_tag_but_mark(client, action_with_html, query):
    """Snippets from ts_headline: the text is escaped, only <mark> added, even when the text itself holds the
    sentinel characters the highlighter uses."""
    html = body_of(client.get("/actions/", {"q": query}))
    snippets = re.findall(r'<p class="summary snippet">(.*?)</p>', html, re.DOTALL)
    assert snippets, html[:2000]
    for snippet in snippets:
        tags = re.findall(r"</?([a-zA-Z][^\s>/]*)", snippet)
        assert set(tags) <= {"mark"}, snippet
        assert snippet.count("<mark>") == snippet.count("</mark>") >= 1, snippet
        assert "\x02" not in snippet and "\x03" not in snippet


# ── the same hostile values, every one on every target (not left to chance) ────────────────────────────────────

SWEEP = [
    "jardin\x01\x0b\x1b[31m",
    "\x00",
    "<script>alert(4242)</script>",
    "' OR 1=1--",
    "\u202ejardin\u202c",
    "99999999999999999999999999",
    "x" * 10_000,
    "%zz",
]


def concrete_path(target, pools):
    label, name, converters, prefix, regex = target
    if name is None:
        return "/" + prefix + "nimporte/quoi/"
    return reverse(name, kwargs={key: pools.get(key, ["x"])[0] for key in converters})


@pytest.mark.parametrize("target", TARGETS, ids=[target[0] for target in TARGETS])
def test_every_hostile_value_on_every_public_url(client, catalogue, target):
    path = concrete_path(target, catalogue)
    for value in SWEEP:
        query = urlencode([("q", value), ("departement", value), ("page", value), (value, value)])
        response = client.get(path, QUERY_STRING=query)
        body = body_of(response)
        assert response.status_code < 500, (path, value[:40], body[:300])
        if "html" in response.get("Content-Type", "") or "xml" in response.get("Content-Type", ""):
            assert not any(marker in body for marker in MARKERS), (path, value[:40])
