"""Real-browser fixtures, reusable by any Playwright test of the project (public pages, admin…).

- `browser`: Debian Chromium launched once per session through Python Playwright (never `playwright install`);
- `page`: a fresh context and page per test (French locale, 1280×900), closed afterwards;
- `run_axe(page)`: axe-core's violations on the current page (WCAG 2.0/2.1 A and AA, best practices);
- `run_vnu({name: html})`: the W3C Nu HTML checker's errors on several documents, in one JVM;
- `live_db`: a `live_server` whose database holds the référentiels and vocabularies again (a transactional
  test starts from a flushed database: the data migrations' rows are gone);
- `sample_fiches`: `live_db` plus the 25 sample fiches imported by `import_fiches` (24 published: one lacks a résumé).

Django refuses ORM calls from a thread running an event loop, which Playwright's sync API does: the tests here
set DJANGO_ALLOW_ASYNC_UNSAFE, and must use `@pytest.mark.django_db(transaction=True)` (or `live_db`).
"""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SAMPLE_FICHES = ROOT / "fixtures" / "fiches" / "actions-export-1.txt"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see scripts/setup.sh).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def run_axe(page, tags=AXE_TAGS):
    """axe-core's violations on the page as loaded: a list of {id, impact, help, nodes: [html…]}."""
    # Evaluated through the DevTools protocol rather than added as a <script>: the Content-Security-Policy blocks
    # inline scripts, and must stay on for the page under test.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        tags,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["html"][:200] for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


def run_vnu(documents, directory):
    """The Nu HTML checker's errors on {name: html}: a list of {file, line, message}. One JVM for all."""
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        pytest.fail("java or node_modules/vnu-jar is missing: run scripts/setup.sh (npm ci).")
    directory = Path(directory)
    files = []
    for name, html in documents.items():
        path = directory / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    completed = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(completed.stdout or '{"messages": []}')["messages"]
    return [
        {
            "file": Path(message.get("url", "")).name,
            "line": message.get("lastLine"),
            "message": message.get("message"),
            "extract": message.get("extract", "")[:120],
        }
        for message in messages
        if message.get("type") in {"error", "non-document-error"}
    ]


def reload_reference_data():
    from actions.vocabularies import seed_vocabularies
    from structures.referentiels import load_regions_and_departements

    load_regions_and_departements(apps.get_model("structures", "Region"), apps.get_model("structures", "Departement"))
    seed_vocabularies(lambda model_name: apps.get_model("actions", model_name))


@pytest.fixture
def live_db(transactional_db, live_server):
    reload_reference_data()
    return live_server


@pytest.fixture
def sample_fiches(live_db):
    call_command("import_fiches", str(SAMPLE_FICHES), stdout=io.StringIO(), stderr=io.StringIO())
    return live_db


def log_in(page, base_url, user):
    """Signs `user` (made by tests.accounts.factories, whose PASSWORD it has) in to the back-office."""
    from tests.accounts.factories import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
