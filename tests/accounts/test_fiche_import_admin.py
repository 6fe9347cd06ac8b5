"""Importing a fiche text export from the admin: preview (the loader's dry run), then confirm."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from actions.models import Action

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEXT = (ROOT / "fixtures" / "fiches" / "actions-export-1.txt").read_text(encoding="utf-8")
FIRST_TITLE = "Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes"
URL = "admin:actions_action_import_fiches"


def one_fiche(departement="Maine-et-Loire"):
    start = SAMPLE_TEXT.index("Actions\n")
    end = SAMPLE_TEXT.index("Actions\n", start + 1)
    text = "Les actions des centres sociaux\n" + SAMPLE_TEXT[start:end]
    return text.replace(
        "- MAISON POUR TOUS MONPLAISIR - Maine-et-Loire", f"- MAISON POUR TOUS MONPLAISIR - {departement}"
    )


def upload(client, text, name="export.txt", state="soumise"):
    file = io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text)
    file.name = name
    return client.post(reverse(URL), {"fichier": file, "state": state})


def test_preview_writes_nothing_then_confirm_imports(world, login):
    client = login(world.users.fed49)
    preview = upload(client, one_fiche())
    assert preview.status_code == 200
    report = preview.context["report"]
    assert (report.created, report.updated, report.refused) == (1, 0, False)
    assert "Confirmer l’import" in preview.content.decode()
    assert not Action.objects.filter(titre=FIRST_TITLE).exists()

    done = client.post(reverse(URL), {"confirm": "1", "digest": preview.context["digest"]})
    assert done.status_code == 200
    assert done.context["report"].created == 1
    action = Action.objects.get(titre=FIRST_TITLE)
    assert action.state == Action.State.SOUMISE
    assert action.structure.departement.code == "49"
    # Confirming twice does not import twice: the pending file is gone.
    again = client.post(reverse(URL), {"confirm": "1", "digest": preview.context["digest"]})
    assert "aperçu a expiré" in again.content.decode()
    assert Action.objects.filter(titre=FIRST_TITLE).count() == 1


def test_fiche_outside_the_territory_is_skipped_with_its_structure_and_departement(world, login):
    response = upload(login(world.users.fed49), one_fiche("Loire-Atlantique"))
    report = response.context["report"]
    assert not report.refused and report.created == 0
    assert [(fiche.line, fiche.departement) for fiche in report.skipped] == [(5, "Loire-Atlantique (44)")]
    content = response.content.decode()
    assert "hors de votre territoire" in content and "MAISON POUR TOUS MONPLAISIR" in content
    assert "Confirmer l’import" not in content  # nothing of its own to import


def test_file_covering_more_than_the_territory_imports_its_own_fiches(world, login):
    client = login(world.users.fed49)
    text = one_fiche() + one_fiche("Loire-Atlantique").replace("Les actions des centres sociaux\n", "", 1).replace(
        FIRST_TITLE, "Une fiche de Nantes"
    )
    preview = upload(client, text, state="publiee")
    report = preview.context["report"]
    assert not report.refused and report.created == 1
    assert report.titles == [FIRST_TITLE]
    assert [fiche.titre for fiche in report.skipped] == ["Une fiche de Nantes"]
    content = preview.content.decode()
    assert FIRST_TITLE.replace("/", "/") in content.replace("&#x27;", "'")
    # A file from others: « Soumise » is suggested for the confirmation, whatever was chosen first.
    assert '<option value="soumise" selected>' in content
    done = client.post(reverse(URL), {"confirm": "1", "digest": preview.context["digest"], "state": "soumise"})
    assert done.context["report"].created == 1
    assert Action.objects.get(titre=FIRST_TITLE).state == Action.State.SOUMISE
    assert not Action.objects.filter(titre="Une fiche de Nantes").exists()


def test_import_form_suggests_soumise(world, login):
    page = login(world.users.fed49).get(reverse(URL))
    assert '<option value="soumise" selected>' in page.content.decode()


def test_regional_federation_imports_its_region(world, login):
    response = upload(login(world.users.fed_region), one_fiche("Loire-Atlantique"))
    assert not response.context["report"].refused


def test_errors_of_the_loader_are_shown_with_line_numbers(world, login):
    response = upload(login(world.users.fed_national), one_fiche("Atlantide"))
    report = response.context["report"]
    assert report.refused and report.errors[0].line == 5
    assert "Ligne 5 :" in response.content.decode()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("export.csv", "titre\n", "Choisissez un fichier .txt"),
        ("gros.txt", "x" * (5 * 1024 * 1024 + 1), "plus de 5 Mo"),
    ],
)
def test_only_small_txt_files(world, login, name, content, message):
    response = upload(login(world.users.fed49), content, name=name)
    assert message in str(response.context["form"].errors["fichier"])


def test_forged_confirmation_without_preview_imports_nothing(world, login):
    response = login(world.users.fed49).post(reverse(URL), {"confirm": "1", "digest": "0" * 64})
    assert "aperçu a expiré" in response.content.decode()
    assert not Action.objects.filter(titre=FIRST_TITLE).exists()


@pytest.mark.parametrize("role", ["centre", "nobody"])
def test_only_federations_import_fiches(world, login, role):
    client = login(getattr(world.users, role))
    assert client.get(reverse(URL)).status_code == 403
    assert upload(client, one_fiche()).status_code == 403
    assert not Action.objects.filter(titre=FIRST_TITLE).exists()
