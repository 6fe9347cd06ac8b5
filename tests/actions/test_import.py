"""The fiche import: loader and `import_fiches` command, on the real 25-fiche sample and on damaged files."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from actions.fiches.loader import load_bytes
from actions.fiches.renderer import render_file
from actions.fiches.stored import fiche_from_action, prefetched_actions
from actions.models import Action, MotCle, Partenaire, Public
from structures.models import Structure
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "fiches" / "actions-export-1.txt"
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def run_import(*args, expect_refused=False):
    """Runs import_fiches; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    if expect_refused:
        with pytest.raises(CommandError) as raised:
            call_command("import_fiches", *map(str, args), stdout=out, stderr=err)
        assert raised.value.returncode == 1
    else:
        call_command("import_fiches", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, name="export.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def snapshot():
    """Everything the import may write, to prove a refused file wrote nothing."""
    return (
        sorted(Action.objects.values_list("titre", "structure__nom", "resume", "state")),
        sorted(Structure.objects.values_list("nom", "departement__code")),
        MotCle.objects.count(),
        Partenaire.objects.count(),
        Public.objects.count(),
    )


def one_fiche(**replacements):
    """The first fiche of the sample, as a file of its own, with some lines replaced."""
    start = SAMPLE_TEXT.index("Actions\n")
    end = SAMPLE_TEXT.index("Actions\n", start + 1)
    text = "Les actions des centres sociaux\n" + SAMPLE_TEXT[start:end]
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


FIRST_TITLE = "Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes"


@pytest.mark.django_db
class TestSampleImport:
    @pytest.fixture(autouse=True)
    def imported(self):
        self.out, self.err = run_import(SAMPLE)

    def test_counts(self):
        assert Action.objects.count() == 25
        assert Structure.objects.count() == 22
        # One fiche has neither résumé nor dimension: the workflow keeps it a brouillon, and says so.
        assert Action.objects.published().count() == 24
        assert "est importée en brouillon" in self.err
        assert "25 créée(s)" in self.out
        assert Structure.objects.get(nom="MAISON POUR TOUS MONPLAISIR").actions.count() == 3

    def test_prefecture_artefact_is_kept_with_a_warning(self):
        assert "artefact" in self.err and "actions-export-1.txt:1:" in self.err
        assert set(Action.objects.values_list("partenaires__libelle", flat=True)) == {"Préfecture"}

    def test_first_fiche_field_by_field(self):
        action = Action.objects.select_related("structure__departement").get(titre=FIRST_TITLE)
        assert action.structure.nom == "MAISON POUR TOUS MONPLAISIR"
        assert action.structure.departement.code == "49"
        assert action.statut.libelle == "En cours"
        assert action.dimension.libelle == "Citoyenneté"
        assert [m.libelle for m in action.mots_cles.order_by("position")] == [
            "éducation / scolarité",
            "Démocratie & citoyenneté",
            "Intégration",
        ]
        assert action.resume.startswith("Le local jeunes est un espace implanté en dehors de toute institution")
        assert action.resume.endswith("de stage, de formation, ou d’orientation.")
        assert action.resume.count("\n") == 1
        assert [i.libelle for i in action.initiatives.all()] == ["Autre"]
        assert action.precision_initiative.startswith("Suite à des demandes récurrentes de jeunes")
        assert action.territoire.libelle == "Un quartier"
        assert action.public.libelle == "Jeunes adultes"
        assert action.ressources_financieres == "100.200 €"
        assert action.nombre_personnes.startswith("3 professionnels (Conseiller ESF")
        assert action.fichiers_associes == ""
        assert action.raisons_fin == ""
        assert action.perspectives.endswith("dans le cadre de la rénovation urbaine du quartier.")

    def test_free_text_keeps_its_dash_lines(self):
        action = Action.objects.get(titre=FIRST_TITLE)
        lines = action.description_experience.split("\n")
        assert lines[1] == "- Favoriser la mixité entre jeunes (sociale et de genre)"
        assert "- Leur permettre de se rencontrer de façon informelle." in lines

    def test_fiche_without_fichiers_associes(self):
        action = Action.objects.get(titre='"Accès aux droits et lutte contre la fracture numérique"')
        assert action.structure.nom == "CENTRE SOCIAL CAF LA CLAIRIERE"
        assert action.structure.departement.nom == "Meurthe-et-Moselle"
        assert action.fichiers_associes == ""

    def test_terminee_fiches_and_their_raisons(self):
        terminees = Action.objects.filter(statut__libelle="Terminée").order_by("pk")
        assert terminees.count() == 2
        assert terminees[0].raisons_fin == ""
        assert terminees[1].raisons_fin == (
            'Action "Plateforme Jeunesse"\n'
            "Cette action ne sera pas reconduite en 2023/24, en raison du non financement de la subvention sollicitée."
        )

    def test_precision_starting_with_dash_lines(self):
        action = Action.objects.get(precision_initiative__startswith="- L’enjeu global")
        assert [i.libelle for i in action.initiatives.all()] == ["Le centre social"]
        assert action.precision_initiative.split("\n")[2].startswith("- Questionner nos ressemblances")

    def test_second_import_changes_nothing(self):
        before = list(Action.objects.order_by("pk").values())
        out, _ = run_import(SAMPLE)
        assert "0 créée(s), 0 mise(s) à jour, 25 inchangée(s)" in out
        assert "Aucun changement" in out
        assert list(Action.objects.order_by("pk").values()) == before
        assert Structure.objects.count() == 22

    def test_round_trip_renders_the_original_text(self):
        rendered = render_file(fiche_from_action(a) for a in prefetched_actions(Action.objects.order_by("pk")))
        # The one fiche without the optional empty « Fichier(s) associé(s) » line gets it back.
        original = SAMPLE_TEXT.replace(
            "- CENTRE SOCIAL CAF LA CLAIRIERE - Meurthe-et-Moselle\n- Statut",
            "- CENTRE SOCIAL CAF LA CLAIRIERE - Meurthe-et-Moselle\n- Fichier(s) associé(s)\n- Statut",
        )
        assert rendered.rstrip("\n") == original.rstrip("\n")

    def test_edited_export_updates_in_place(self, tmp_path):
        edited = SAMPLE_TEXT.replace("100.200 €", "120.000 €").replace(
            "- Jeunes adultes\n- Avec qui", "- Jeunesse\n- Avec qui", 1
        )
        out, _ = run_import(write(tmp_path, edited))
        assert "1 mise(s) à jour, 24 inchangée(s)" in out
        action = Action.objects.get(titre=FIRST_TITLE)
        assert (action.ressources_financieres, action.public.libelle) == ("120.000 €", "Jeunesse")
        assert Action.objects.count() == 25

    def test_admin_edit_is_a_conflict_unless_forced(self, tmp_path):
        action = Action.objects.get(titre=FIRST_TITLE)
        action.resume = "Résumé réécrit dans l’administration."
        action.save()
        edited = write(tmp_path, SAMPLE_TEXT.replace("100.200 €", "99 €"))
        out, err = run_import(edited)
        assert "1 en conflit" in out and "--force" in err
        action.refresh_from_db()
        assert (action.resume, action.ressources_financieres) == ("Résumé réécrit dans l’administration.", "100.200 €")
        out, _ = run_import(edited, "--force")
        action.refresh_from_db()
        assert action.ressources_financieres == "99 €"
        assert action.resume.startswith("Le local jeunes")

    def test_existing_actions_keep_their_state(self):
        Action.objects.filter(titre=FIRST_TITLE).update(state=Action.State.ARCHIVEE)
        run_import(SAMPLE, "--state", "brouillon")
        assert Action.objects.get(titre=FIRST_TITLE).state == Action.State.ARCHIVEE


@pytest.mark.django_db
class TestOptions:
    def test_dry_run_writes_nothing_but_counts(self):
        before = snapshot()
        out, _ = run_import(SAMPLE, "--dry-run")
        assert "25 créée(s)" in out and "rien n’a été écrit" in out
        assert snapshot() == before
        assert Structure.objects.count() == 0

    def test_state_option(self):
        run_import(SAMPLE, "--state", "soumise")
        assert set(Action.objects.values_list("state", flat=True)) == {Action.State.SOUMISE, Action.State.BROUILLON}
        assert Action.objects.filter(state=Action.State.BROUILLON).count() == 1  # no résumé nor dimension
        assert not Action.objects.published().exists()

    def test_folder_and_stdin(self, tmp_path):
        folder = tmp_path / "exports"
        folder.mkdir()
        write(folder, one_fiche(), "a.txt")
        write(folder, "ignored", "notes.md")
        out, _ = run_import(folder)
        assert "1 créée(s)" in out and "notes.md" not in out

    def test_usage_errors_exit_2(self, tmp_path):
        with pytest.raises(CommandError) as raised:
            call_command("import_fiches", str(tmp_path / "missing.txt"))
        assert raised.value.returncode == 2
        empty = tmp_path / "empty-folder"
        empty.mkdir()
        with pytest.raises(CommandError) as raised:
            call_command("import_fiches", str(empty))
        assert raised.value.returncode == 2

    def test_a_refused_file_does_not_stop_the_others(self, tmp_path):
        good = write(tmp_path, one_fiche(), "good.txt")
        bad = write(tmp_path, one_fiche(**{"- Maine-et-Loire\n": "- Maine et Loir\n"}), "bad.txt")
        out, err = run_import(bad, good, expect_refused=True)
        assert Action.objects.count() == 1
        assert "bad.txt : REFUSÉ" in out and "good.txt : 1 fiche(s) — 1 créée(s)" in out


@pytest.mark.django_db
class TestTolerableIrregularities:
    def test_crlf_and_bom(self, tmp_path):
        path = write(tmp_path, "\ufeff" + one_fiche().replace("\n", "\r\n"))
        out, err = run_import(path)
        assert "1 créée(s)" in out
        assert "BOM" in err and "CRLF" in err
        assert "\r" not in Action.objects.get().description_experience

    def test_cp1252_is_decoded_with_a_warning(self, tmp_path):
        path = write(tmp_path, one_fiche(), encoding="cp1252")
        out, err = run_import(path)
        assert "1 créée(s)" in out and "UTF-8" in err
        assert Action.objects.get().titre == FIRST_TITLE

    def test_departement_spelt_loosely(self, tmp_path):
        path = write(tmp_path, one_fiche(**{"- Maine-et-Loire\n": "- Maine et Loire\n"}))
        out, err = run_import(path)
        assert "1 créée(s)" in out
        assert "export.txt:5: Département « Maine et Loire » lu comme « Maine-et-Loire » (49)" in err
        assert Structure.objects.get().departement.code == "49"

    def test_identical_duplicate_fiche(self, tmp_path):
        fiche = one_fiche()
        path = write(tmp_path, fiche + fiche.split("\n", 1)[1])
        out, err = run_import(path)
        assert "1 créée(s)" in out and Action.objects.count() == 1
        assert "export.txt:" in err

    def test_structure_names_match_whatever_their_case(self, tmp_path):
        run_import(SAMPLE)
        path = write(tmp_path, one_fiche(**{"MAISON POUR TOUS MONPLAISIR": "Maison pour tous Monplaisir"}))
        out, _ = run_import(path)
        assert "1 inchangée(s)" in out
        assert Structure.objects.count() == 22


DAMAGED = {
    "empty file": ("", 1, "vide"),
    "no marker": ("Les actions des centres sociaux\nBonjour\n", 1, "Actions"),
    "cut in the middle": (one_fiche().split("- Public\n")[0], 35, "Public"),
    "no title": (one_fiche(**{f"Actions\n{FIRST_TITLE}\n": "Actions\n"}), 2, "titre"),
    "unknown label": (one_fiche(**{"- Dimension\n": "- Dimensions\n"}), 9, "« - Dimension »"),
    "structure without département": (
        one_fiche(**{"- MAISON POUR TOUS MONPLAISIR - Maine-et-Loire": "- MAISON POUR TOUS MONPLAISIR"}),
        5,
        "Département",
    ),
    "unknown département": (one_fiche(**{"- Maine-et-Loire\n": "- Maine et Loir\n"}), 5, "Maine-et-Loire"),
    "same fiche twice, different content": (
        one_fiche() + one_fiche(**{"100.200 €": "1 €"}).split("\n", 1)[1],
        65,
        "lignes 2 et 65 (différences : Ressources financières",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", DAMAGED, ids=list(DAMAGED))
def test_damaged_files_are_refused_with_a_located_message(tmp_path, case):
    text, line, fragment = DAMAGED[case]
    run_import(SAMPLE)
    before = snapshot()
    path = write(tmp_path, text, "damaged.txt")
    out, err = run_import(path, expect_refused=True)
    errors = [line for line in err.splitlines() if line.endswith("[erreur]")]
    assert errors, err
    assert any(e.startswith(f"{path}:{line}:") for e in errors), errors
    assert fragment in "\n".join(errors)
    assert "REFUSÉ, rien n’a été écrit" in out
    assert snapshot() == before


def test_command_exit_status_from_a_shell(fresh_database):
    """The exit codes seen by a shell script: 0 imported, 1 refused, 2 usage."""
    env = {
        "DATABASE_URL": database_url(fresh_database),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test",
    }

    def manage(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, check=False
        )

    assert manage("migrate", "-v0").returncode == 0
    assert manage("import_fiches", "-", stdin=one_fiche().encode()).returncode == 0
    assert manage("import_fiches", "-", stdin=b"nothing here").returncode == 1
    assert manage("import_fiches", "nowhere.txt").returncode == 2
    assert manage("import_fiches").returncode == 2


@pytest.mark.django_db
def test_progress_is_reported_fiche_by_fiche():
    seen = []
    report = load_bytes(SAMPLE.read_bytes(), "sample.txt", progress=lambda done, total: seen.append((done, total)))
    assert report.created == 25
    assert seen == [(done, 25) for done in range(1, 26)]


@pytest.mark.django_db
def test_progress_bar_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("import_fiches", str(SAMPLE), stdout=out, stderr=io.StringIO())
    assert "25/25" in out.getvalue() and "#" * 30 in out.getvalue()
    plain, _ = run_import(SAMPLE)
    assert "#" not in plain


def test_created_actions_history_names_who_imported_them(admin_client, admin_user):
    """New actions and their history rows are written by the database (COPY, then INSERT … SELECT): the history
    row is the one `save()` would have written, with the admin who confirmed the import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/admin/actions/action/import-fiches/"
    upload = SimpleUploadedFile("export.txt", SAMPLE.read_bytes(), content_type="text/plain")
    preview = admin_client.post(url, {"fichier": upload, "state": Action.State.PUBLIEE})
    admin_client.post(url, {"confirm": "1", "digest": preview.context["digest"]})
    assert Action.objects.count() == 25
    for action in Action.objects.all():
        record = action.history.get()
        assert (record.history_type, record.history_user, record.history_change_reason) == ("+", admin_user, "")
        assert (record.titre, record.resume, record.state, record.structure_id, record.dimension_id) == (
            action.titre,
            action.resume,
            action.state,
            action.structure_id,
            action.dimension_id,
        )


@pytest.mark.django_db
def test_a_slug_taken_by_another_writer_during_the_import_restarts_the_file(monkeypatch):
    """An admin save taking one of the slugs the import chose, between its choice and its write: the file is
    written again from the start (`WRITE_ATTEMPTS`), and every fiche of it is there, searchable, once."""
    from django.db import connection

    from actions.fiches import loader
    from tests.actions.factories import ActionFactory

    allocate, taken = loader.allocate_slugs, []

    def allocate_then_lose_one(model, texts):
        slugs = allocate(model, texts)
        if model is Action and not taken:
            taken.append(slugs[0])
            ActionFactory(slug=slugs[0], titre="Enregistrée dans l’administration entre-temps")
        return slugs

    monkeypatch.setattr(loader, "allocate_slugs", allocate_then_lose_one)
    report = load_bytes(SAMPLE.read_bytes(), SAMPLE.name)

    assert taken and not report.errors
    assert report.created == report.fiches > 1
    # The other writer's row went with the first attempt's transaction; the file's fiches are all written.
    assert Action.objects.count() == report.fiches
    assert Action.objects.filter(titre=FIRST_TITLE).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM actions_search JOIN actions_action ON actions_action.id = action_id")
        assert cursor.fetchone()[0] == report.fiches
