"""The public catalogue in Debian Chromium: accessibility (axe-core), HTML validity (Nu checker), real use."""

import io
import re

import pytest
from django.core.management import call_command

from actions.models import Action
from tests.browser.conftest import SAMPLE_FICHES, run_axe, run_vnu

pytestmark = pytest.mark.browser


def public_urls():
    """Home, list (plain, with filters and a query, with no hit), a fiche, its structure and département."""
    action = Action.objects.published().select_related("structure__departement").order_by("titre").first()
    keyword = action.mots_cles.first()
    return {
        "home": "/",
        "list": "/actions/",
        "list-filtered": f"/actions/?q=jeunes&departement=49&departement=54&mots_cles={keyword.slug}&tri=recent",
        "list-no-hit": "/actions/?q=zzzqqq",
        "list-invalid": "/actions/?departement=ZZ&page=999",
        "list-place": "/actions/?lieu=49&q=jeunes",
        "list-place-empty": "/actions/?lieu=Avrill%C3%A9+%2849%29",
        "list-stop-words": "/actions/?q=le+%C3%A9t%C3%A9",
        "contact": f"/structures/{action.structure.slug}/contact/",
        "detail": action.get_absolute_url(),
        "structure": f"/structures/{action.structure.slug}/",
        "departement": f"/departements/{action.structure.departement.code}/",
        "open-data": "/donnees-ouvertes/",
        "accessibility": "/accessibilite/",
        "legal": "/mentions-legales/",
        "not-found": "/actions/action-inconnue/",
    }


@pytest.mark.django_db
def test_pages_are_valid_html(client, tmp_path):
    call_command("import_fiches", str(SAMPLE_FICHES), stdout=io.StringIO(), stderr=io.StringIO())
    documents = {}
    for name, url in public_urls().items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        documents[name] = response.content.decode()
    assert run_vnu(documents, tmp_path) == []


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_have_no_accessibility_violations(browser, sample_fiches, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    violations = {}
    for name, url in public_urls().items():
        page.goto(sample_fiches.url + url)
        found = run_axe(page)
        if found:
            violations[name] = found
    context.close()
    assert violations == {}


def count(page):
    text = page.locator("#result-count").inner_text()
    return 0 if text.startswith("Aucune") else int(re.match(r"\d+", text).group())


def option_counts(page, facet):
    return page.eval_on_selector_all(
        f'input[name="{facet}"]', "inputs => inputs.map(i => i.value + ':' + i.labels[0].textContent.trim())"
    )


def test_search_tick_two_departements_open_a_fiche_follow_a_mot_cle(page, sample_fiches):
    page.goto(sample_fiches.url + "/actions/")
    total = count(page)
    assert total == 24  # the 25th sample fiche has neither résumé nor dimension: imported as a brouillon

    page.fill("#q", "jeunes")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=jeunes"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    found = count(page)
    assert 0 < found < total
    assert page.locator("mark").count() > 0

    dimensions_before = option_counts(page, "dimension")
    departements = page.locator('input[name="departement"]')
    first, second = departements.nth(0).get_attribute("value"), departements.nth(1).get_attribute("value")
    page.check(f"#f-departement-{first.lower()}")
    page.wait_for_url(re.compile(rf"departement={first}"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    only_first = count(page)
    page.check(f"#f-departement-{second.lower()}")
    page.wait_for_url(re.compile(rf"departement={first}&departement={second}"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    both = count(page)
    assert 0 < only_first < both <= found
    assert option_counts(page, "dimension") != dimensions_before  # counts follow the filters
    assert page.locator(".chips a").filter(has_text="Département").count() == 2

    page.locator(".cards h3 a").first.click()
    page.wait_for_url(re.compile(r"/actions/[\w-]+/$"))
    keyword = page.locator("section", has=page.locator("h2", has_text="Mots-clés")).locator("a").first
    label = keyword.inner_text()
    keyword.click()
    page.wait_for_url(re.compile(r"/actions/\?mots_cles="))
    assert page.locator(".chips").inner_text().count(label) == 1
    assert count(page) >= 1
    assert page.locator('input[name="mots_cles"][checked], input[name="mots_cles"]:checked').count() == 1


def test_filters_with_the_keyboard(page, sample_fiches):
    page.goto(sample_fiches.url + "/actions/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results-title"

    page.goto(sample_fiches.url + "/actions/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "departement":
            break
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("f-departement-")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"departement="))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    assert page.evaluate("document.activeElement.id") == focused  # focus kept after the update
    assert page.is_checked(f"#{focused}")
    page.keyboard.press("Space")  # untick
    page.wait_for_url(lambda url: "departement=" not in url)
    page.go_back()
    page.wait_for_url(re.compile(r"departement="))


def test_everything_works_without_javascript(browser, sample_fiches):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(sample_fiches.url + "/actions/")
    assert page.locator("#filters-panel").get_attribute("open") is not None  # the panel is usable
    page.check('input[name="dimension"] >> nth=0')
    page.click("text=Appliquer les filtres")
    page.wait_for_url(re.compile(r"dimension="))
    assert page.locator(".chips").count() == 1
    page.select_option("#tri", "titre")
    page.click("button:has-text('Trier')")
    page.wait_for_url(re.compile(r"tri=titre"))
    context.close()


def test_phone_see_results_button_closes_the_panel_and_moves_to_the_results(browser, sample_fiches):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(sample_fiches.url + "/actions/")
    page.click("#filters-summary")
    page.check('input[name="dimension"] >> nth=0')
    page.wait_for_url(re.compile(r"dimension="))
    button = page.locator("[data-show-results]")
    expected = count(page)
    assert button.inner_text() == f"Voir les {expected} actions"
    assert button.is_visible()  # sticky at the bottom of the open panel
    button.click()
    assert page.locator("#filters-panel").get_attribute("open") is None
    assert page.evaluate("document.activeElement.id") == "results-title"
    assert page.is_visible("#result-count")
    context.close()


def test_fiche_contents_jump_to_their_section(page, sample_fiches):
    action = Action.objects.published().order_by("titre").first()
    page.goto(sample_fiches.url + action.get_absolute_url())
    toc = page.locator(".fiche-toc a")
    assert toc.count() >= 3
    # The structure and its contact come before the text of the fiche.
    assert page.evaluate(
        "document.querySelector('.contact-box').compareDocumentPosition(document.querySelector('.fiche')) & 4"
    )
    toc.nth(2).click()
    page.wait_for_url(re.compile(r"#section-3$"))


def test_phone_filter_panel_starts_closed_and_opens(browser, sample_fiches):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(sample_fiches.url + "/actions/")
    assert page.locator("#filters-panel").get_attribute("open") is None
    page.click("#filters-summary")
    assert page.is_visible('input[name="dimension"] >> nth=0')
    context.close()
