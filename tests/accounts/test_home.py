"""The back-office home per role, and « Dupliquer »."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts import home
from actions.models import Action
from tests.actions.factories import ActionFactory

INDEX = "/admin/"


def test_centre_home_lists_my_fiches_to_correct_first(world, login):
    Action.objects.filter(pk=world.actions.own_draft.pk).update(commentaire_moderation="Ajoutez le public visé.")
    client = login(world.users.centre)
    page = client.get(INDEX)
    assert page.status_code == 200
    text = page.text
    assert "Mes fiches" in text and "À faire" not in text
    assert "Brouillon des Tilleuls" in text and "Soumise des Tilleuls" in text and "Publiée des Tilleuls" in text
    assert "Brouillon du Voisin" not in text and "Brouillon de Paris" not in text  # never another centre's
    assert text.index("Brouillon des Tilleuls") < text.index("Soumise des Tilleuls")
    assert "À corriger" in text and "Ajoutez le public visé." in text
    assert "Dupliquer" in text and "Ajouter une fiche" in text
    entries = {entry["action"].titre: entry for entry in home.centre_home(world.users.centre)["entries"]}
    assert entries["Publiée des Tilleuls"]["editable"] is True  # through a revision (actions.workflow)
    assert entries["Brouillon des Tilleuls"]["badge"] == "À corriger"
    # An archived fiche: its centre asks its federation for a change (never shown the federation's address).
    archived = ActionFactory(
        titre="Archivée des Tilleuls", structure=world.structures.mine, state=Action.State.ARCHIVEE
    )
    entries = {entry["action"].titre: entry for entry in home.centre_home(world.users.centre)["entries"]}
    assert entries[archived.titre]["can_request_change"] is True
    assert entries["Brouillon des Tilleuls"]["can_request_change"] is False
    text = client.get(INDEX).text
    assert "Demander une modification" in text and world.users.fed49.email not in text


def test_centre_home_queries_are_bounded(world, login, django_assert_max_num_queries):
    for number in range(30):
        ActionFactory(titre=f"Fiche {number}", structure=world.structures.mine, state=Action.State.BROUILLON)
    client = login(world.users.centre)
    with django_assert_max_num_queries(25):
        page = client.get(INDEX)
    assert page.status_code == 200


def test_federation_home_shows_what_awaits_it(world, login):
    old = ActionFactory(titre="Vieille fiche", structure=world.structures.neighbour, state=Action.State.PUBLIEE)
    Action.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    imported = ActionFactory(titre="Fiche importée", structure=world.structures.neighbour, state=Action.State.SOUMISE)
    Action.objects.filter(pk=imported.pk).update(imported_fingerprint="x" * 64)
    client = login(world.users.fed49)
    page = client.get(INDEX)
    text = page.text
    assert "À faire" in text
    assert "Fiches soumises à relire\u202f: 2" in text  # Soumise des Tilleuls, Fiche importée
    assert "Soumise des Tilleuls" in text
    assert "Vieille fiche" in text and "non mises à jour depuis un an\u202f: 1" in text
    assert "Fiches importées depuis 30 jours\u202f: 1" in text
    assert world.structures.mine.nom in text  # factories leave identity fields empty
    assert world.structures.elsewhere.nom not in text  # outside the territory
    assert "Brouillon de Paris" not in text


def test_no_role_sees_the_plain_index(world, login):
    page = login(world.users.nobody).get(INDEX)
    assert page.status_code == 200 and "Mes fiches" not in page.text and "À faire" not in page.text


def test_duplicate_makes_a_new_draft(world, login):
    original = world.actions.own_published
    client = login(world.users.centre)
    response = client.post(reverse("admin_action_duplicate", args=[original.pk]))
    copy = Action.objects.get(titre="Publiée des Tilleuls (copie)")
    assert response.status_code == 302 and response.url == reverse("admin:actions_action_change", args=[copy.pk])
    assert copy.state == Action.State.BROUILLON and copy.structure == original.structure
    assert copy.dimension == original.dimension and copy.resume == original.resume
    assert copy.published_at is None and copy.commentaire_moderation == ""
    client.post(reverse("admin_action_duplicate", args=[original.pk]))
    assert Action.objects.filter(titre="Publiée des Tilleuls (copie 2)").exists()


def test_duplicate_refuses_what_one_cannot_see_and_get(world, login):
    client = login(world.users.centre)
    assert client.post(reverse("admin_action_duplicate", args=[world.actions.neighbour_draft.pk])).status_code == 404
    assert client.get(reverse("admin_action_duplicate", args=[world.actions.own_draft.pk])).status_code == 405
    assert not Action.objects.filter(titre__endswith="(copie)").exists()


def test_request_change_writes_to_the_federation(world, login):
    from notifications.models import OutgoingEmail

    client = login(world.users.centre)
    url = reverse("admin_action_request_change", args=[world.actions.own_published.pk])
    response = client.post(url)
    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert email.recipient == world.users.fed49.email  # the départemental federation, the closest level
    assert "Publiée des Tilleuls" in email.subject and world.users.centre.email in email.body_text
    assert (
        client.post(reverse("admin_action_request_change", args=[world.actions.neighbour_draft.pk])).status_code == 404
    )
    assert client.get(url).status_code == 405
