"""Shared vocabularies in the back-office: national staff manage them, others read and propose; nobody without a
role sees them; counts and filters only use what the viewer may see."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP
from actions.models import Dimension, MotCle, VocabularyProposal
from tests.accounts.factories import UserFactory

VOCABULARY_URLS = [f"admin:actions_{name}_changelist" for name in ("dimension", "motcle", "partenaire", "public")]


@pytest.fixture
def grouped_nobody(world):
    """Staff in both role groups, with neither membership nor scope."""
    user = UserFactory(username="groupes-sans-perimetre")
    user.groups.add(*Group.objects.filter(name__in=[CENTRE_GROUP, FEDERATION_GROUP]))
    return user


def change_data(entry, **changes):
    return {"libelle": entry.libelle, "position": entry.position, **changes}


@pytest.mark.django_db
class TestWhoManagesThem:
    @pytest.mark.parametrize("role", ["fed_national", "superuser"])
    def test_national_staff_add_rename_delete(self, world, login, role):
        client = login(getattr(world.users, role))
        assert (
            client.post(reverse("admin:actions_motcle_add"), {"libelle": "Numérique", "position": 1}).status_code == 302
        )
        entry = MotCle.objects.get(libelle="Numérique")
        url = reverse("admin:actions_motcle_change", args=[entry.pk])
        assert client.post(url, change_data(entry, libelle="Numérique et inclusion")).status_code == 302
        assert client.post(reverse("admin:actions_motcle_delete", args=[entry.pk]), {"post": "yes"}).status_code == 302
        assert not MotCle.objects.filter(pk=entry.pk).exists()

    @pytest.mark.parametrize("role", ["centre", "fed49", "fed_region"])
    def test_others_read_but_neither_add_rename_nor_delete(self, world, login, role):
        client = login(getattr(world.users, role))
        entry = MotCle.objects.get_or_create_by_label("Culture")[0]
        assert client.get(reverse("admin:actions_motcle_changelist")).status_code == 200
        assert client.get(reverse("admin:actions_motcle_change", args=[entry.pk])).status_code == 200  # read-only
        assert client.post(reverse("admin:actions_motcle_add"), {"libelle": "Forgé", "position": 1}).status_code == 403
        url = reverse("admin:actions_motcle_change", args=[entry.pk])
        assert client.post(url, change_data(entry, libelle="Renommé")).status_code == 403
        assert client.post(reverse("admin:actions_motcle_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
        entry.refresh_from_db()
        assert entry.libelle == "Culture"
        assert not MotCle.objects.filter(libelle="Forgé").exists()

    @pytest.mark.parametrize("who", ["nobody", "grouped_nobody"])
    def test_no_role_sees_nothing_whatever_the_groups(self, world, login, grouped_nobody, who):
        user = grouped_nobody if who == "grouped_nobody" else world.users.nobody
        client = login(user)
        entry = MotCle.objects.get_or_create_by_label("Culture")[0]
        for name in VOCABULARY_URLS:
            assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse("admin:actions_motcle_add"), {"libelle": "Forgé", "position": 1}).status_code == 403
        url = reverse("admin:actions_motcle_change", args=[entry.pk])
        assert client.post(url, change_data(entry, libelle="Renommé")).status_code in (403, 404)
        delete = client.post(reverse("admin:actions_motcle_delete", args=[entry.pk]), {"post": "yes"})
        assert delete.status_code in (403, 404)
        assert MotCle.objects.filter(pk=entry.pk, libelle="Culture").exists()
        index = client.get(reverse("admin:index")).content.decode()
        assert "Mots-clés" not in index and "Dimensions" not in index

    def test_the_position_column_is_editable_for_national_staff_only(self, world, login):
        national = login(world.users.fed_national).get(reverse("admin:actions_dimension_changelist"))
        assert national.context["cl"].list_editable
        centre = login(world.users.centre).get(reverse("admin:actions_dimension_changelist"))
        assert 'name="form-0-position"' not in centre.content.decode()


@pytest.mark.django_db
class TestCountsAndFilters:
    def counts(self, client, url_name):
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        return {entry.libelle: entry._nombre_actions for entry in response.context["cl"].result_list}

    @pytest.mark.parametrize(
        "role, expected",
        [("centre", 3), ("fed49", 4), ("fed_region", 5), ("fed_national", 6), ("superuser", 6)],
    )
    def test_counts_are_of_the_actions_the_viewer_sees(self, world, login, role, expected):
        # Every action of the world is « Citoyenneté » (the factory's dimension).
        assert Dimension.objects.get(libelle="Citoyenneté").actions.count() == 6
        counts = self.counts(login(getattr(world.users, role)), "admin:actions_dimension_changelist")
        assert counts["Citoyenneté"] == expected

    def test_mot_cle_counts_too(self, world, login):
        world.actions.elsewhere_draft.mots_cles.add(MotCle.objects.get_or_create_by_label("Secret")[0])
        assert self.counts(login(world.users.centre), "admin:actions_motcle_changelist")["Secret"] == 0
        assert self.counts(login(world.users.fed_national), "admin:actions_motcle_changelist")["Secret"] == 1

    @pytest.mark.parametrize("url_name", ["admin:actions_motcle_changelist", "admin:actions_dimension_changelist"])
    @pytest.mark.parametrize("lookup", ["actions", "actions__id__exact", "actions__structure", "actions__titre"])
    def test_no_filter_through_the_actions(self, world, login, url_name, lookup):
        hidden = world.actions.elsewhere_draft
        value = hidden.titre if lookup == "actions__titre" else hidden.pk
        response = login(world.users.centre).get(reverse(url_name), {lookup: value})
        assert response.status_code == 400
        assert hidden.titre not in response.content.decode()

    def test_filters_on_the_entry_itself_still_work(self, world, login):
        response = login(world.users.centre).get(reverse("admin:actions_dimension_changelist"), {"q": "Citoy"})
        assert [entry.libelle for entry in response.context["cl"].result_list] == ["Citoyenneté"]


@pytest.mark.django_db
class TestProposals:
    def propose(self, client, libelle="Jardins partagés", vocabulary="motcle"):
        return client.post(
            reverse("admin:actions_vocabularyproposal_add"),
            {"vocabulary": vocabulary, "libelle": libelle, "justification": "Pour nos fiches de jardin."},
        )

    @pytest.mark.parametrize("role", ["centre", "fed49", "fed_region"])
    def test_others_propose_and_follow_their_own_proposals(self, world, login, role):
        client = login(getattr(world.users, role))
        assert self.propose(client).status_code == 302
        proposal = VocabularyProposal.objects.get(libelle="Jardins partagés")
        assert proposal.proposed_by == getattr(world.users, role)
        assert proposal.status == VocabularyProposal.Status.PENDING
        assert not MotCle.objects.filter(libelle="Jardins partagés").exists()
        listed = client.get(reverse("admin:actions_vocabularyproposal_changelist"))
        assert list(listed.context["cl"].result_list) == [proposal]
        # Their own proposal is read-only for them: they cannot accept it.
        url = reverse("admin:actions_vocabularyproposal_change", args=[proposal.pk])
        data = {"vocabulary": "motcle", "libelle": "Jardins partagés", "status": "acceptee", "response": ""}
        assert client.post(url, data).status_code == 403
        action = {"action": "accept", "_selected_action": [proposal.pk]}
        client.post(reverse("admin:actions_vocabularyproposal_changelist"), action)
        proposal.refresh_from_db()
        assert proposal.status == VocabularyProposal.Status.PENDING
        assert not MotCle.objects.filter(libelle="Jardins partagés").exists()

    def test_nobody_sees_the_proposals_of_others(self, world, login):
        self.propose(login(world.users.centre), "Du centre")
        fed49 = login(world.users.fed49)
        assert list(fed49.get(reverse("admin:actions_vocabularyproposal_changelist")).context["cl"].result_list) == []
        proposal = VocabularyProposal.objects.get(libelle="Du centre")
        assert fed49.get(reverse("admin:actions_vocabularyproposal_change", args=[proposal.pk])).status_code == 404

    def test_national_staff_accept_one_and_refuse_another(self, world, login):
        centre = login(world.users.centre)
        self.propose(centre, "Jardins partagés")
        self.propose(centre, "Doublon de Culture")
        accepted = VocabularyProposal.objects.get(libelle="Jardins partagés")
        refused = VocabularyProposal.objects.get(libelle="Doublon de Culture")
        national = login(world.users.fed_national)
        changelist = reverse("admin:actions_vocabularyproposal_changelist")
        assert set(national.get(changelist).context["cl"].result_list) == {accepted, refused}
        national.post(changelist, {"action": "accept", "_selected_action": [accepted.pk]})
        url = reverse("admin:actions_vocabularyproposal_change", args=[refused.pk])
        data = {"vocabulary": "motcle", "libelle": refused.libelle, "status": "refusee", "response": "Existe déjà."}
        assert national.post(url, data).status_code == 302
        accepted.refresh_from_db()
        refused.refresh_from_db()
        assert accepted.status == "acceptee" and accepted.decided_by == world.users.fed_national
        assert refused.status == "refusee" and refused.response == "Existe déjà."
        assert MotCle.objects.filter(libelle="Jardins partagés").exists()
        assert not MotCle.objects.filter(libelle="Doublon de Culture").exists()

    @pytest.mark.parametrize("who", ["nobody", "grouped_nobody"])
    def test_no_role_cannot_propose(self, world, login, grouped_nobody, who):
        user = grouped_nobody if who == "grouped_nobody" else world.users.nobody
        assert self.propose(login(user)).status_code == 403
        assert not VocabularyProposal.objects.exists()
