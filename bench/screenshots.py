"""Screenshots of the public pages at phone (375 px) and desktop (1280 px) widths, with Debian Chromium.

    .venv/bin/python bench/screenshots.py http://127.0.0.1:8011 /tmp/screenshots

Needs a running site with data (see README: `make run`, or runserver on a database loaded with import_fiches).
Pages: home, list, list with a query and filters, the first fiche, its structure and its département.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WIDTHS = {"phone": 375, "desktop": 1280}


def first_link(page, base, pattern):
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
        if re.match(pattern, href):
            return base + href
    raise SystemExit(f"No link matching {pattern} on {page.url}")


def main(base, out):
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/actions/")
        detail = first_link(page, base, r"^/actions/[\w-]+/$")
        page.goto(detail)
        structure = first_link(page, base, r"^/structures/[\w-]+/$")
        departement = first_link(page, base, r"^/departements/\w+/$")
        pages = {
            "home": base + "/",
            "list": base + "/actions/",
            "list-filtered": base + "/actions/?q=jeunes&dimension=citoyennete",
            "detail": detail,
            "structure": structure,
            "departement": departement,
        }
        for device, width in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": 900})
            shot = context.new_page()
            for name, url in pages.items():
                shot.goto(url)
                shot.wait_for_load_state("networkidle")
                path = out / f"{name}-{device}.png"
                shot.screenshot(path=str(path), full_page=True)
                shot.screenshot(path=str(out / f"{name}-{device}-first-screen.png"))
                print(path)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots"))
