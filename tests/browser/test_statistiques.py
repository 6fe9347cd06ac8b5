"""The statistics page in Debian Chromium: accessibility (axe-core), HTML validity (Nu checker), keyboard, map."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import SAMPLE_FICHES, run_axe, run_vnu

pytestmark = pytest.mark.browser

URLS = {
    "statistiques": "/statistiques/",
    "statistiques-filtrees": "/statistiques/?mots_cles=parentalite&statut=en-cours&departement=49&departement=ZZ",
    "statistiques-vides": "/statistiques/?q=zzzqqq",
}


@pytest.mark.django_db
def test_statistics_pages_are_valid_html(client, tmp_path):
    call_command("import_fiches", str(SAMPLE_FICHES), stdout=io.StringIO(), stderr=io.StringIO())
    documents = {}
    for name, url in URLS.items():
        response = client.get(url)
        assert response.status_code == 200, url
        documents[name] = response.content.decode()
    assert run_vnu(documents, tmp_path) == []


@pytest.mark.parametrize("width", [1280, 375])
def test_statistics_pages_have_no_accessibility_violations(browser, sample_fiches, width):
    # axe-core is injected as an inline script, which the site's Content-Security-Policy forbids: bypassed here
    # only; test_no_content_security_policy_violation checks the page under its real policy.
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    violations = {}
    for name, url in URLS.items():
        page.goto(sample_fiches.url + url)
        page.locator("details.stats-filters > summary").click()  # the filter form too
        found = run_axe(page)
        if found:
            violations[name] = found
    context.close()
    assert violations == {}


def test_no_content_security_policy_violation(page, sample_fiches):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    for url in URLS.values():
        page.goto(sample_fiches.url + url)
        page.locator("details.stats-filters > summary").click()
    assert errors == []


def test_keyboard_reaches_a_departement_of_the_map_and_opens_its_page(page, sample_fiches):
    page.goto(sample_fiches.url + "/statistiques/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id").startswith("dep-"):
            break
    focused = page.evaluate(
        "() => { const a = document.activeElement; const path = a.querySelector('path');"
        " return {id: a.id, label: a.getAttribute('aria-label'), stroke: getComputedStyle(path).stroke,"
        " width: getComputedStyle(path).strokeWidth}; }"
    )
    assert focused["id"].startswith("dep-") and " : " in focused["label"]
    assert focused["stroke"] == "rgb(255, 191, 71)" and focused["width"] == "3px"  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/departements/{focused['id'].removeprefix('dep-')}/")
    assert page.locator("h1").inner_text().endswith(f"({focused['id'].removeprefix('dep-')})")


def test_a_link_to_a_departement_of_the_map_highlights_it(page, sample_fiches):
    page.goto(sample_fiches.url + "/statistiques/#dep-2A")
    stroke = page.evaluate("getComputedStyle(document.querySelector('#dep-2A path')).stroke")
    assert stroke == "rgb(255, 191, 71)"


def test_the_table_scrolls_sideways_on_a_phone_and_its_links_filter_the_list(browser, sample_fiches):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(sample_fiches.url + "/statistiques/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page itself never scrolls sideways
    scroller = page.locator(".table-scroll")
    assert scroller.evaluate("element => element.scrollWidth > element.clientWidth")
    link = page.locator(".stats-table tbody td a").first
    number = int(link.evaluate("a => a.firstChild.textContent"))
    link.click()
    page.wait_for_url("**/actions/?**departement=**")
    assert page.locator("#result-count strong").inner_text() == str(number)
    context.close()
