"""The bulk import: a fixed number of SQL queries per file, and what save() used to do done in bulk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.fiches.loader import load_bytes
from actions.fiches.renderer import render_file
from actions.models import Action
from bench.generate_fiches import edited, generate
from structures.models import Departement, Structure


def queries(fiches, **options):
    """(SQL statements run to import `fiches` as one file, report)."""
    with CaptureQueriesContext(connection) as captured:
        report = load_bytes(render_file(fiches).encode(), "export.txt", **options)
    assert not report.refused, report.errors
    return len(captured.captured_queries), report


@pytest.mark.django_db
def test_queries_per_file_do_not_grow_with_its_fiches():
    small, large = generate(20, seed=1, structures=5), generate(200, seed=2, structures=50)
    for fiche in large:  # both start with the sample's structures: keep the two files apart
        fiche.structure_nom += " bis"
    for fiches in (small, large):  # a title in two structures: both files need the query for slug suffixes
        other = next(fiche for fiche in fiches if fiche.structure_nom != fiches[0].structure_nom)
        other.titre = fiches[0].titre
    first = [queries(small), queries(large)]
    assert [report.created for _, report in first] == [20, 200]
    again = [queries(small), queries(large)]
    assert [report.unchanged for _, report in again] == [20, 200]
    changed = [queries(edited(small, 0.5, seed=3)), queries(edited(large, 0.5, seed=3))]
    assert all(report.updated for _, report in changed)
    for (small_count, _), (large_count, _) in [first, again, changed]:
        assert large_count <= small_count, (small_count, large_count)
    assert first[0][0] <= 40 and again[0][0] <= 25


@pytest.mark.django_db
def test_slugs_and_dates_as_save_would_set_them():
    fiches = generate(6, seed=5, structures=2)
    for number, fiche in enumerate(fiches):
        fiche.titre = "Atelier cuisine" + "!" * number  # one slug base for the six of them
        fiche.structure_nom, fiche.departement_nom = f"Centre social {'AB'[number % 2]}", "Ain"
        # What the workflow requires to submit (actions/workflow.py): otherwise imported as a brouillon.
        fiche.resume, fiche.dimension = fiche.resume or "Un résumé.", fiche.dimension or "Vivre ensemble"
    ain = Departement.objects.get(nom="Ain")
    existing = Action.objects.create(
        titre="Atelier cuisine", structure=Structure.objects.create(nom="A", departement=ain)
    )
    assert existing.slug == "atelier-cuisine"
    _, report = queries(fiches, state=Action.State.SOUMISE)
    assert report.created == 6
    imported = Action.objects.exclude(pk=existing.pk)
    assert sorted(imported.values_list("slug", flat=True)) == [f"atelier-cuisine-{n}" for n in range(2, 8)]
    assert all(action.submitted_at and not action.published_at for action in imported)
    assert sorted(Structure.objects.values_list("slug", flat=True)) == [
        "a-01",
        "centre-social-a-01",
        "centre-social-b-01",
    ]


@pytest.mark.django_db
def test_history_rows_for_created_and_updated_actions():
    fiches = generate(5, seed=6, structures=1)
    queries(fiches)
    action = Action.objects.get(titre=fiches[0].titre)
    assert action.published_at and action.history.count() == 1
    assert action.structure.history.count() == 1
    fiches[0].resume = "Un résumé réécrit par le centre."
    _, report = queries(fiches)
    assert (report.updated, report.unchanged) == (1, 4)
    assert [record.history_type for record in action.history.order_by("history_date")] == ["+", "~"]
    assert Action.objects.get(pk=action.pk).resume == "Un résumé réécrit par le centre."


@pytest.mark.django_db
def test_two_spellings_of_one_structure_in_a_file_make_one_structure():
    fiches = generate(2, seed=7, structures=1)
    fiches[1].structure_nom = fiches[0].structure_nom.swapcase()
    fiches[1].titre = fiches[0].titre  # the same action twice, the later one wins as an update
    fiches[1].resume = "Autre résumé."
    _, report = queries(fiches)
    assert (report.created, report.updated) == (1, 1)
    assert Structure.objects.count() == 1
    assert Action.objects.get().resume == "Autre résumé."
