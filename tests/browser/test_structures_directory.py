"""The structures directory and a structure's page in Debian Chromium: axe-core, Nu checker, real use."""

import io
import re

import pytest
from django.core.management import call_command

from structures.models import CodePostal, Commune, Departement, Structure
from structures.referentiels import read_communes
from tests.browser.conftest import SAMPLE_FICHES, run_axe, run_vnu

pytestmark = pytest.mark.browser

COMMUNES = ["49007", "72181", "53130"]  # Angers, Le Mans, Laval


def load_some_communes():
    """The few communes these pages need: a transactional test starts from a flushed database."""
    for code, nom, departement, postcodes in read_communes()["communes"]:
        if code in COMMUNES:
            commune, _ = Commune.objects.get_or_create(
                code=code, defaults={"nom": nom, "departement": Departement.objects.get(code=departement)}
            )
            for postcode in postcodes:
                CodePostal.objects.get_or_create(commune=commune, code=postcode)


def add_structures():
    """Imports the sample fiches (structures with a name and a département only), then completes two identities."""
    call_command("import_fiches", str(SAMPLE_FICHES), stdout=io.StringIO(), stderr=io.StringIO())
    complete = Structure.objects.filter(departement__code="49").order_by("nom").first() or Structure.objects.first()
    complete.kind = Structure.Kind.CENTRE_SOCIAL
    complete.adresse = "12 rue des Lices"
    complete.departement = Departement.objects.get(code="49")
    complete.commune = Commune.objects.get(code="49007")
    complete.code_postal = "49000"
    complete.telephone = "02 41 00 00 00"
    complete.email = "accueil@example.org"
    complete.site_web = "https://example.org"
    complete.siret = "73282932000074"
    complete.mode_gestion = Structure.ModeGestion.ASSOCIATIF
    complete.type_territoire = Structure.TypeTerritoire.URBAIN
    complete.population = 12500
    complete.qpv = True
    complete.membre_federation = True
    complete.date_premier_agrement = "1998-09-01"
    complete.full_clean()
    complete.save()
    bus = Structure.objects.create(
        nom="Bus des Mauges", departement=Departement.objects.get(code="49"), kind="evs", itinerante=True
    )
    bus.communes_desservies.set(Commune.objects.filter(code__in=["72181", "53130"]))
    imported = Structure.objects.exclude(pk__in=[complete.pk, bus.pk]).order_by("nom").first()
    return {
        "directory": "/structures/",
        "directory-filtered": "/structures/?q=centre&departement=49&departement=72&kind=centre_social&qpv=oui",
        "directory-no-hit": "/structures/?q=zzzqqq",
        "directory-invalid": "/structures/?departement=ZZ&page=999",
        "structure-complete": f"/structures/{complete.slug}/",
        "structure-itinerant": f"/structures/{bus.slug}/",
        "structure-imported": f"/structures/{imported.slug}/",
        "departement-served": "/departements/72/",
    }


@pytest.mark.django_db
def test_pages_are_valid_html(client, tmp_path):
    documents = {}
    for name, url in add_structures().items():
        response = client.get(url)
        assert response.status_code == 200, url
        documents[name] = response.content.decode()
    assert run_vnu(documents, tmp_path) == []


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_have_no_accessibility_violations(browser, live_db, width):
    load_some_communes()
    urls = add_structures()
    # bypass_csp: axe-core is injected as an inline script, which the site's Content-Security-Policy forbids.
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    violations = {}
    for name, url in urls.items():
        page.goto(live_db.url + url)
        found = run_axe(page)
        if found:
            violations[name] = found
    context.close()
    assert violations == {}


def count(page):
    text = page.locator("#result-count").inner_text()
    return 0 if text.startswith("Aucune") else int(re.match(r"\d+", text).group())


def test_filter_search_and_open_a_structure(page, live_db):
    load_some_communes()
    add_structures()
    page.goto(live_db.url + "/structures/")
    total = count(page)
    assert total == Structure.objects.count()

    page.check("#f-itinerante-oui")  # updates in place (static/js/catalogue.js), the URL follows
    page.wait_for_url(re.compile(r"itinerante=oui"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    assert count(page) == 1
    assert page.locator(".chips a").filter(has_text="Itinérante : Oui").count() == 1
    page.check("#f-departement-53")  # present in the Mayenne through the communes it serves
    page.wait_for_url(re.compile(r"departement=53"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    assert count(page) == 1

    page.goto(live_db.url + "/structures/")
    page.fill("#q", "ANGERS")  # whatever the case: in the name of one, the commune of the other
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=ANGERS"))
    page.wait_for_function("!document.getElementById('catalogue').classList.contains('is-loading')")
    assert count(page) == 2
    assert page.locator(".cards h3 a", has_text="JEAN VILAR ANGERS").count() == 1
    page.locator(".cards h3 a", has_text=Structure.objects.get(commune__code="49007").nom).click()
    page.wait_for_url(re.compile(r"/structures/[\w-]+/$"))
    assert page.locator("dl.identity").first.inner_text().count("49000 Angers") == 1
    assert page.locator("a", has_text="Voir sur la carte").get_attribute("href") == "/statistiques/#dep-49"


def test_directory_works_without_javascript(browser, live_db):
    load_some_communes()
    add_structures()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_db.url + "/structures/")
    assert page.locator("#filters-panel").get_attribute("open") is not None
    page.check("#f-kind-evs")
    page.click("text=Appliquer les filtres")
    page.wait_for_url(re.compile(r"kind=evs"))
    assert page.locator(".chips").inner_text().count("Type de structure : Espace de vie sociale") == 1
    assert count(page) == Structure.objects.filter(kind="evs").count()
    context.close()
