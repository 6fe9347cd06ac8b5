"""The catalogue version moves in the database (migration actions 0012): every way of writing a table the public
pages read moves it in the writer's own transaction, and the public list, its counts and the API change at once."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from actions.models import Action, Dimension, MotCle
from catalogue.read_model import changed_actions
from catalogue.read_model import current_version as catalogue_version
from fcsf_actions.backup import catalogue_models
from structures.models import Commune
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory

LIST = "/actions/"
API_LIST = "/api/actions/"
SAMPLE = settings.BASE_DIR / "fixtures" / "fiches" / "actions-export-1.txt"


def result_count(page):
    return int(re.search(r'id="result-count"[^>]*><strong>(\d+)</strong> action', page).group(1))


def mots_cles_count(page, slug):
    found = re.search(rf'<label for="f-mots_cles-{slug}"><span>([^<]*)</span> <span class="count">(\d+)', page)
    return (found.group(1), int(found.group(2))) if found else None


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


class Public:
    """What a visitor reads (list page, API), read once before a write: both are cached under the version."""

    def __init__(self, client):
        self.client = client
        self.version = catalogue_version()
        self.before = self.page()
        self.api_before = self.api_count()

    def page(self):
        return self.client.get(LIST).content.decode()

    def api_count(self):
        return self.client.get(API_LIST).json()["count"]

    def after(self):
        """The page after the write, once the version moved (read in the writer's transaction: the test's)."""
        assert catalogue_version() > self.version
        return self.page()


@pytest.fixture
def catalogue(db):
    return [ActionFactory(titre=f"Atelier {number}", mots_cles=["Culture"]) for number in range(3)]


@pytest.fixture
def draft(catalogue):
    return ActionFactory(titre="Brouillon du jardin", state=Action.State.BROUILLON, mots_cles=["Culture"])


def test_save(client, catalogue):
    public = Public(client)
    catalogue[0].titre = "Atelier renommé"
    catalogue[0].save()
    assert "Atelier renommé" in public.after() and "Atelier renommé" not in public.before


def test_queryset_update_publishes(client, draft):
    public = Public(client)
    Action.objects.filter(pk=draft.pk).update(state=Action.State.PUBLIEE)
    after = public.after()
    assert (result_count(public.before), result_count(after)) == (3, 4)
    assert (mots_cles_count(public.before, "culture")[1], mots_cles_count(after, "culture")[1]) == (3, 4)
    assert (public.api_before, public.api_count()) == (3, 4)


def test_raw_sql(client, draft):
    public = Public(client)
    sql("UPDATE actions_action SET state = 'publiee', published_at = now() WHERE id = %s", [draft.pk])
    assert result_count(public.after()) == 4
    assert public.api_count() == 4


def test_bulk_create(client, catalogue):
    public = Public(client)
    structure = catalogue[0].structure
    Action.objects.bulk_create(
        Action(titre=f"En masse {n}", slug=f"en-masse-{n}", structure=structure, state=Action.State.PUBLIEE)
        for n in range(5)
    )
    assert result_count(public.after()) == 8
    assert public.api_count() == 8


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param(lambda actions: actions[0].mots_cles.clear(), 2, id="clear"),
        pytest.param(lambda actions: actions[0].mots_cles.set([]), 2, id="set"),
        pytest.param(lambda actions: actions[0].mots_cles.remove(MotCle.objects.get(cle="culture")), 2, id="remove"),
        pytest.param(lambda actions: MotCle.objects.get(cle="culture").actions.clear(), None, id="reverse clear"),
        pytest.param(
            lambda actions: ActionFactory(structure=actions[0].structure).mots_cles.add(
                MotCle.objects.get(cle="culture")
            ),
            4,
            id="add",
        ),
    ],
)
def test_lists(client, catalogue, change, expected):
    public = Public(client)
    change(catalogue)
    found = mots_cles_count(public.after(), "culture")
    assert (found and found[1]) == expected


def test_admin_bulk_publish(admin_client, draft):
    Action.objects.filter(pk=draft.pk).update(state=Action.State.SOUMISE)  # only a submitted fiche is moderated
    public = Public(admin_client)
    response = admin_client.post(
        "/admin/actions/action/", {"action": "publish", "_selected_action": [draft.pk], "index": 0, "post": "yes"}
    )
    assert response.status_code == 302
    assert result_count(public.after()) == 4
    assert public.api_count() == 4


def test_fiche_import_command(client, catalogue):
    public = Public(client)
    call_command("import_fiches", str(SAMPLE), stdout=None)
    assert result_count(public.after()) == Action.objects.published().count() > 3
    assert public.api_count() == Action.objects.published().count()


def test_vocabulary_rename(client, catalogue):
    public = Public(client)
    MotCle.objects.filter(cle="culture").update(libelle="Culture et loisirs")  # a rename, whatever the path
    assert mots_cles_count(public.before, "culture") == ("Culture", 3)
    assert mots_cles_count(public.after(), "culture") == ("Culture et loisirs", 3)


def test_structure_change(client, catalogue):
    public = Public(client)
    structure = catalogue[0].structure
    structure.nom = "Centre social des Rives"
    structure.save()
    assert "Centre social des Rives" in public.after() and "Centre social des Rives" not in public.before


def test_served_commune_change(client, db):
    bus = StructureFactory(nom="Bus des Mauges", itinerante=True, communes_desservies=["49007"])
    ActionFactory(structure=bus)
    version = catalogue_version()
    assert "Bus des Mauges" not in client.get("/departements/72/").content.decode()
    sql(
        "INSERT INTO structures_structure_communes_desservies (structure_id, commune_id) VALUES (%s, %s)",
        [bus.pk, Commune.objects.get(code="72181").pk],
    )
    assert catalogue_version() > version
    assert "Bus des Mauges" in client.get("/departements/72/").content.decode()


def test_a_rolled_back_transaction_does_not_bump(catalogue):
    version = catalogue_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Action.objects.update(titre="Effacé")
        assert catalogue_version() == version + 1
        raise RuntimeError
    assert catalogue_version() == version
    Action.objects.filter(pk=catalogue[0].pk).update(titre="Écrit")  # the next write takes the number back
    assert catalogue_version() == version + 1


def test_another_connection_sees_a_bump_only_once_committed(db):
    """Another server's connection: the version of a transaction still open, then rolled back, is never seen."""
    import psycopg

    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}
    version = catalogue_version()
    with psycopg.connect(**params) as writer, psycopg.connect(**params) as reader:
        writer.execute("UPDATE actions_dimension SET libelle = libelle || ' (renommée)'")
        assert writer.execute("SELECT catalogue_version()").fetchone()[0] == version + 1
        assert reader.execute("SELECT catalogue_version()").fetchone()[0] == version
        writer.rollback()
        assert writer.execute("SELECT catalogue_version()").fetchone()[0] == version
    assert catalogue_version() == version


def test_one_bump_per_statement_not_per_row(catalogue):
    version = catalogue_version()
    structure = catalogue[0].structure
    Action.objects.bulk_create(
        (Action(titre=f"Ligne {n}", slug=f"ligne-{n}", structure=structure) for n in range(1000)), batch_size=1000
    )
    assert catalogue_version() == version + 1
    new = set(Action.objects.filter(titre__startswith="Ligne ").values_list("pk", flat=True))
    assert changed_actions(version, version + 1) == new  # listed, for the facet index's patch


def test_writes_share_a_version_until_it_is_read(catalogue):
    version = catalogue_version()
    catalogue[0].save()
    catalogue[1].mots_cles.clear()
    assert catalogue_version() == version + 1
    assert changed_actions(version, version + 1) == {catalogue[0].pk, catalogue[1].pk}
    catalogue[2].save()  # after a read: what was cached under version + 1 must not change
    assert catalogue_version() == version + 2


def test_what_each_version_changed(catalogue):
    version = catalogue_version()
    catalogue[0].save()
    assert changed_actions(version, catalogue_version()) == {catalogue[0].pk}
    Dimension.objects.filter(libelle="Citoyenneté").update(position=99)
    assert changed_actions(version, catalogue_version()) is None  # anything may have changed
    version = catalogue_version()
    Action.objects.update(resume="Tout change.")
    assert changed_actions(version, catalogue_version()) == {action.pk for action in catalogue}
    version = catalogue_version()
    Action.objects.filter(pk=catalogue[1].pk).update(imported_fingerprint="abc", titre="Réimportée")
    assert changed_actions(version, catalogue_version()) == {catalogue[1].pk}
    version = catalogue_version()
    ActionFactory.create_batch(3, structure=catalogue[0].structure)
    Action.objects.bulk_create(
        Action(titre=f"Ligne {n}", slug=f"ligne-{n}", structure=catalogue[0].structure) for n in range(1000)
    )
    assert changed_actions(version, catalogue_version()) is None  # over 1,000 actions: reload


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda actions: Action.objects.filter(pk=-1).update(titre="Personne"), id="no row"),
        pytest.param(lambda actions: actions[0].mots_cles.remove(*MotCle.objects.none()), id="nothing removed"),
        pytest.param(lambda actions: Action.objects.update(imported_fingerprint="abc"), id="bookkeeping column only"),
    ],
)
def test_a_write_that_changes_no_content_keeps_the_version(catalogue, write):
    version = catalogue_version()
    write(catalogue)
    assert catalogue_version() == version


def test_truncate(catalogue):
    version = catalogue_version()
    sql("TRUNCATE actions_action_partenaires")
    assert catalogue_version() == version + 1
    assert changed_actions(version, version + 1) is None


def test_a_missing_version_row_is_recreated(catalogue):
    from actions.models import CatalogueVersion

    CatalogueVersion.objects.all().delete()
    assert catalogue_version() == 0
    catalogue[0].save()
    assert catalogue_version() == 1


def test_every_catalogue_table_is_watched(db):
    """A new table the public pages read needs its triggers: `SELECT catalogue_version_watch(…)` in its
    migration (see migration actions 0012)."""
    tables = {model._meta.db_table for model in catalogue_models()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, count(*) FROM pg_trigger WHERE tgname LIKE 'catalogue_version_%%' "
            "GROUP BY 1"
        )
        watched = dict(cursor.fetchall())
    assert watched == dict.fromkeys(tables, 4)
    assert {"actions_action_mots_cles", "structures_structure_communes_desservies"} <= tables


def search_row(action):
    """The physical place of the action's search document: another one once the document is written again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM actions_search WHERE action_id = %s", [action.pk])
        return cursor.fetchone()[0]


def matches(words):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action_id FROM actions_search WHERE document @@ plainto_tsquery('french_unaccent', %s)", [words]
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_publish_does_not_compute_the_search_document_again(draft):
    before = search_row(draft)
    Action.objects.filter(pk=draft.pk).update(state=Action.State.PUBLIEE, published_at="2026-01-01T00:00Z")
    draft.refresh_from_db()
    draft.commentaire_moderation = "Bien."
    draft.save()
    assert search_row(draft) == before
    Action.objects.filter(pk=draft.pk).update(resume="Un potager partagé.")
    assert search_row(draft) != before


def test_the_search_document_follows_its_text(catalogue):
    action = catalogue[0]
    Action.objects.filter(pk=action.pk).update(titre="Fête des voisins")
    assert action.pk in matches("voisins")
    commune = Commune.objects.get(code="49007")
    structure = action.structure
    structure.commune = commune
    structure.save()
    assert action.pk in matches("Angers")
    Commune.objects.filter(pk=commune.pk).update(nom="Angers-sur-Maine")
    assert action.pk in matches("sur Maine")
