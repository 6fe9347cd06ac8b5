"""Structures, vocabularies, référentiels and accounts in the admin, per role."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts.models import StructureMembership
from accounts.perms import CENTRE_GROUP
from actions.models import MotCle
from structures.models import Commune, Structure
from tests.accounts.test_import_export import upload


def structure_data(structure, **overrides):
    data = {"nom": structure.nom, "kind": structure.kind, "departement": structure.departement_id}
    data.update(overrides)
    return data


STRUCTURES = ["mine", "neighbour", "region", "elsewhere"]
VISIBLE = {
    "centre": {"mine"},
    "fed49": {"mine", "neighbour"},
    "fed_region": {"mine", "neighbour", "region"},
    "fed_national": set(STRUCTURES),
    "superuser": set(STRUCTURES),
}
# A centre edits its own structure's identity (not its kind, membership or département), never deletes it.
EDITABLE = VISIBLE
DELETABLE = {**VISIBLE, "centre": set()}


@pytest.mark.parametrize("role", VISIBLE)
def test_structure_list(world, login, role):
    content = login(getattr(world.users, role)).get(reverse("admin:structures_structure_changelist")).content.decode()
    for name in STRUCTURES:
        assert (getattr(world.structures, name).nom in content) == (name in VISIBLE[role]), name


@pytest.mark.parametrize("role", VISIBLE)
@pytest.mark.parametrize("target", STRUCTURES)
def test_structure_change_and_delete(world, login, role, target):
    structure = getattr(world.structures, target)
    client = login(getattr(world.users, role))
    url = reverse("admin:structures_structure_change", args=[structure.pk])
    response = client.post(url, structure_data(structure, nom="Nom forgé"))
    if target in EDITABLE[role] and role == "centre":
        # Its name is changed by its federation only (read-only for the centre: the field is ignored).
        assert response.status_code == 302
        assert Structure.objects.get(pk=structure.pk).nom == structure.nom
    elif target in EDITABLE[role]:
        assert response.status_code == 302
        assert Structure.objects.get(pk=structure.pk).nom == "Nom forgé"
    else:
        assert response.status_code == (403 if target in VISIBLE[role] else 404)
        assert Structure.objects.get(pk=structure.pk).nom == structure.nom
    delete = client.post(reverse("admin:structures_structure_delete", args=[structure.pk]), {"post": "yes"})
    if target not in DELETABLE[role]:
        assert delete.status_code == (403 if target in VISIBLE[role] else 404)
    # Structures with actions are protected: never deleted, whoever asks.
    assert Structure.objects.filter(pk=structure.pk).exists()


@pytest.mark.parametrize("departement, created", [("49", True), ("44", False), ("75", False)])
def test_departmental_federation_adds_structures_in_its_departement_only(world, login, departement, created):
    data = {"nom": "Nouveau centre", "kind": "centre_social", "departement": world.dep.get(departement).pk}
    response = login(world.users.fed49).post(reverse("admin:structures_structure_add"), data)
    assert Structure.objects.filter(nom="Nouveau centre").exists() == created
    if not created:
        assert "departement" in response.context["adminform"].form.errors


def test_centre_cannot_add_structures(world, login):
    data = {"nom": "Nouveau centre", "kind": "centre_social", "departement": world.dep["49"].pk}
    assert login(world.users.centre).post(reverse("admin:structures_structure_add"), data).status_code == 403
    assert not Structure.objects.filter(nom="Nouveau centre").exists()


def test_departement_autocomplete_is_scoped(world, login):
    response = login(world.users.fed49).get(
        reverse("admin:autocomplete"),
        {"app_label": "structures", "model_name": "structure", "field_name": "departement", "term": "Loire"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Maine-et-Loire (49)"]


def test_structure_history_records_the_federation(world, login):
    structure = world.structures.neighbour
    login(world.users.fed49).post(
        reverse("admin:structures_structure_change", args=[structure.pk]), structure_data(structure, adresse="Ici")
    )
    assert structure.history.latest().history_user == world.users.fed49
    assert (
        login(world.users.fed49).get(reverse("admin:structures_structure_history", args=[structure.pk])).status_code
        == 200
    )
    url = reverse("admin:structures_structure_history", args=[world.structures.elsewhere.pk])
    assert login(world.users.fed49).get(url).status_code == 404


class TestVocabularies:
    def test_centre_reads_but_does_not_write(self, world, login):
        client = login(world.users.centre)
        assert client.get(reverse("admin:actions_motcle_changelist")).status_code == 200
        assert client.post(reverse("admin:actions_motcle_add"), {"libelle": "Forgé", "position": 1}).status_code == 403
        assert not MotCle.objects.filter(libelle="Forgé").exists()

    def test_national_federation_manages_them(self, world, login):
        # Other federations read them and propose entries (tests/accounts/test_admin_vocabularies.py).
        response = login(world.users.fed_national).post(
            reverse("admin:actions_motcle_add"), {"libelle": "Numérique", "position": 1}
        )
        assert response.status_code == 302
        assert MotCle.objects.filter(libelle="Numérique").exists()

    def test_referentiels_are_read_only_for_federations(self, world, login):
        client = login(world.users.fed_national)
        url = reverse("admin:structures_departement_change", args=[world.dep["49"].pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"nom": "Forgé", "code": "49", "region": world.dep["49"].region_id}).status_code == 403


class TestAccounts:
    def add_centre_account(self, client, structure, **extra):
        data = {
            "username": "nouveaucentre",
            "email": "nouveau@example.org",
            "usable_password": "true",
            "password1": "un-mot-de-passe-solide-2026",
            "password2": "un-mot-de-passe-solide-2026",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-structure": structure.pk,
            **extra,
        }
        return client.post(reverse("admin:auth_user_add"), data)

    def test_federation_lists_only_the_centre_accounts_of_its_territory(self, world, login):
        outsider = User.objects.create_user("centredenantes", is_staff=True)
        StructureMembership.objects.create(user=outsider, structure=world.structures.region)
        content = login(world.users.fed49).get(reverse("admin:auth_user_changelist")).content.decode()
        assert ">centre<" in content
        for username in ["centredenantes", "federegion", "fedenationale", ">admin<"]:
            assert username not in content

    def test_federation_creates_a_centre_account(self, world, login):
        response = self.add_centre_account(login(world.users.fed49), world.structures.neighbour, is_superuser="on")
        assert response.status_code == 302
        user = User.objects.get(username="nouveaucentre")
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [CENTRE_GROUP]
        assert list(user.memberships.values_list("structure", flat=True)) == [world.structures.neighbour.pk]

    def test_federation_cannot_attach_an_account_outside_its_territory(self, world, login):
        response = self.add_centre_account(login(world.users.fed49), world.structures.region)
        assert response.status_code == 200
        assert not User.objects.filter(username="nouveaucentre").exists()

    def test_federation_sets_no_password_and_gives_an_address(self, world, login):
        # Issue 18: nobody sets another person's password; they choose it from the e-mail link.
        client = login(world.users.fed49)
        form = client.get(reverse("admin:auth_user_add")).content.decode()
        assert 'name="password1"' not in form and 'name="email"' in form
        assert self.add_centre_account(client, world.structures.neighbour, email="").status_code == 200
        assert not User.objects.filter(username="nouveaucentre").exists()
        response = self.add_centre_account(client, world.structures.neighbour, password1="123", password2="123")
        assert response.status_code == 302
        assert not User.objects.get(username="nouveaucentre").has_usable_password()

    def test_federation_cannot_promote_itself_or_others(self, world, login):
        client = login(world.users.fed49)
        url = reverse("admin:auth_user_change", args=[world.users.centre.pk])
        data = {
            "username": "centre",
            "is_active": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Équipe de fédération").pk],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": world.users.centre.memberships.get().pk,
            "memberships-0-user": world.users.centre.pk,
            "memberships-0-structure": world.structures.mine.pk,
        }
        assert client.post(url, data).status_code == 302
        world.users.centre.refresh_from_db()
        assert not world.users.centre.is_superuser
        assert list(world.users.centre.groups.values_list("name", flat=True)) == [CENTRE_GROUP]
        for other in ["superuser", "fed_region", "fed49"]:
            url = reverse("admin:auth_user_change", args=[getattr(world.users, other).pk])
            assert client.post(url, {"username": "pris", "is_superuser": "on"}).status_code == 404

    def test_centre_has_no_account_admin(self, world, login):
        assert login(world.users.centre).get(reverse("admin:auth_user_changelist")).status_code == 403


def commune_pk(code):
    return Commune.objects.get(code=code).pk


IDENTITY = {
    "adresse": "3 place de la Paix",
    "code_postal": "49 100",
    "telephone": "+33 2 41 00 00 00",
    "email": "accueil@tilleuls.example.org",
    "site_web": "tilleuls.example.org",
    "siret": "732 829 320 00074",
    "date_premier_agrement": "1998-09-01",
    "mode_gestion": "associatif",
    "type_territoire": "urbain",
    "population": "12500",
    "qpv": "true",
    "itinerante": "on",
    "multi_sites": "on",
}


class TestStructureIdentity:
    """Centre staff edit their own structure's identity; kind, membership and département stay the federation's."""

    def change_url(self, structure):
        return reverse("admin:structures_structure_change", args=[structure.pk])

    def identity(self, structure, **overrides):
        data = {"nom": structure.nom, **IDENTITY, "commune": commune_pk("49007")}
        data["communes_desservies"] = [commune_pk("72181"), commune_pk("53130")]
        return {**data, **overrides}

    def test_centre_edits_its_own_structures_identity(self, world, login):
        structure = world.structures.mine
        response = login(world.users.centre).post(self.change_url(structure), self.identity(structure))
        assert response.status_code == 302, response.context["adminform"].form.errors
        structure.refresh_from_db()
        assert (structure.commune.nom, structure.code_postal) == ("Angers", "49100")
        assert (structure.siret, structure.telephone) == ("73282932000074", "02 41 00 00 00")
        assert (structure.site_web, structure.population) == ("https://tilleuls.example.org", 12500)
        assert structure.qpv is True
        assert sorted(structure.communes_desservies.values_list("nom", flat=True)) == ["Laval", "Le Mans"]
        assert structure in Structure.objects.present_in(world.dep["49"].region.departements.filter(code="72"))

    def test_protected_fields_are_read_only_for_the_centre(self, world, login):
        page = login(world.users.centre).get(self.change_url(world.structures.mine)).content.decode()
        for field in ["kind", "membre_federation", "departement"]:
            assert f'name="{field}"' not in page, field
        assert 'name="siret"' in page and 'name="commune"' in page and 'name="communes_desservies"' in page
        assert "Centre social" in page and "Maine-et-Loire (49)" in page  # shown, not editable

    def test_a_forged_post_of_protected_fields_is_ignored(self, world, login):
        structure = world.structures.mine
        forged = self.identity(structure, kind="federation", membre_federation="true", departement=world.dep["44"].pk)
        assert login(world.users.centre).post(self.change_url(structure), forged).status_code == 302
        structure.refresh_from_db()
        assert (structure.kind, structure.departement.code) == ("centre_social", "49")
        assert structure.membre_federation is None
        assert structure.telephone == "02 41 00 00 00"  # the rest was saved

    @pytest.mark.parametrize("target, status", [("neighbour", 404), ("region", 404), ("elsewhere", 404)])
    def test_a_centre_cannot_edit_another_structure(self, world, login, target, status):
        structure = getattr(world.structures, target)
        forged = self.identity(structure, kind="evs", departement=world.dep["49"].pk)
        assert login(world.users.centre).post(self.change_url(structure), forged).status_code == status
        assert login(world.users.centre).get(self.change_url(structure)).status_code == status
        structure.refresh_from_db()
        assert (structure.siret, structure.kind) == ("", "centre_social")

    def test_the_federation_changes_the_protected_fields(self, world, login):
        structure = world.structures.mine
        data = self.identity(structure, kind="evs", membre_federation="true", departement=world.dep["49"].pk)
        assert login(world.users.fed49).post(self.change_url(structure), data).status_code == 302
        structure.refresh_from_db()
        assert (structure.kind, structure.membre_federation) == ("evs", True)

    def test_what_is_missing_is_shown_to_the_staff(self, world, login):
        page = login(world.users.centre).get(self.change_url(world.structures.mine)).content.decode()
        assert "Identité à compléter" in page
        assert "<li>SIRET</li>" in page and "<li>adresse</li>" in page and "<li>téléphone</li>" in page
        structure = world.structures.mine
        login(world.users.centre).post(self.change_url(structure), self.identity(structure))
        page = login(world.users.fed49).get(self.change_url(structure)).content.decode()
        assert "Rien : l’identité de la structure est complète." not in page  # membership still unknown
        assert "<li>adhérente à la fédération</li>" in page and "<li>SIRET</li>" not in page

    @pytest.mark.parametrize(
        "overrides, field, message",
        [
            ({"code_postal": "69003"}, "code_postal", "Le code postal 69003 n’appartient pas à Angers (49000, 49100)"),
            ({"commune": "VILLEURBANNE"}, "commune", None),  # not an id: Django's own message, and no 500
            ({"communes_desservies": ["1", "x"]}, "communes_desservies", None),
            ({"siret": "732 829 320 00075"}, "siret", "sa clé de contrôle est fausse"),
            ({"telephone": "12 34"}, "telephone", "n’est pas un numéro de téléphone français"),
            ({"itinerante": ""}, "communes_desservies", "Seule une structure itinérante dessert des communes"),
        ],
    )
    def test_invalid_identity_is_refused_with_a_message(self, world, login, overrides, field, message):
        structure = world.structures.mine
        data = self.identity(structure, **overrides)
        if overrides.get("itinerante") == "":
            del data["itinerante"]
        response = login(world.users.centre).post(self.change_url(structure), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert field in errors
        if message:
            assert message in errors[field][0]
        structure.refresh_from_db()
        assert structure.siret == ""

    def test_a_commune_of_another_departement_is_refused(self, world, login):
        structure = world.structures.mine
        data = self.identity(structure, commune=commune_pk("69266"), code_postal="69100")
        errors = login(world.users.centre).post(self.change_url(structure), data).context["adminform"].form.errors
        assert errors["commune"][0].startswith("La commune Villeurbanne est dans le département 69, pas dans celui")

    def test_history_covers_the_identity_and_the_served_communes(self, world, login):
        structure = world.structures.mine
        client = login(world.users.centre)
        client.post(self.change_url(structure), self.identity(structure))
        latest = structure.history.latest()
        assert latest.history_user == world.users.centre
        assert (latest.siret, latest.telephone) == ("73282932000074", "02 41 00 00 00")
        assert latest.commune_id == commune_pk("49007")
        assert sorted(latest.communes_desservies.values_list("commune__nom", flat=True)) == ["Laval", "Le Mans"]
        client.post(self.change_url(structure), self.identity(structure, communes_desservies=[commune_pk("72181")]))
        newest, previous = structure.history.all()[:2]
        assert newest.diff_against(previous).changed_fields == ["communes_desservies"]
        history = client.get(reverse("admin:structures_structure_history", args=[structure.pk]))
        assert history.status_code == 200

    def test_commune_autocomplete_by_name_or_postcode(self, world, login):
        client = login(world.users.centre)

        def search(term):
            response = client.get(
                reverse("admin:autocomplete"),
                {"app_label": "structures", "model_name": "structure", "field_name": "commune", "term": term},
            )
            assert response.status_code == 200
            return [result["text"] for result in response.json()["results"]]

        assert "Le Mans (72)" in search("le mans")
        assert "Saint-Étienne (42)" in search("saint etienne")
        assert search("69100") == ["Irigny (69)", "Villeurbanne (69)"]  # INSEE code 69100, postcode 69100


class TestStructureSpreadsheets:
    def test_import_finds_the_commune_by_name_or_insee_code_and_checks_the_postcode(self, world, login):
        client = login(world.users.fed49)
        content = (
            "id,nom,kind,departement,commune,code_postal,siret\n"
            ",Centre par le nom,centre_social,49,ANGERS,49 100,732 829 320 00074\n"
            ",Centre par le code,evs,49,49007,,\n"
        )
        preview = upload(client, "structures_structure", content)
        assert not preview.context["result"].has_validation_errors()
        client.post(reverse("admin:structures_structure_process_import"), preview.context["confirm_form"].initial)
        by_name = Structure.objects.get(nom="Centre par le nom")
        assert (by_name.commune.nom, by_name.code_postal, by_name.siret) == ("Angers", "49100", "73282932000074")
        assert Structure.objects.get(nom="Centre par le code").commune.code == "49007"

    @pytest.mark.parametrize(
        "commune, postcode, message",
        [
            ("Atlantis", "", "Commune « Atlantis » introuvable dans le département 49"),
            ("Nantes", "", "Commune « Nantes » introuvable dans le département 49"),
            ("Angers", "44000", "Le code postal 44000 n’appartient pas à Angers (49000, 49100)"),
        ],
    )
    def test_import_refuses_an_unknown_commune_or_a_wrong_postcode(self, world, login, commune, postcode, message):
        content = f"id,nom,kind,departement,commune,code_postal\n,Centre refusé,centre_social,49,{commune},{postcode}\n"
        response = upload(login(world.users.fed49), "structures_structure", content)
        assert response.context["result"].has_validation_errors()
        assert message in response.content.decode()
        assert not Structure.objects.filter(nom="Centre refusé").exists()


def test_the_centre_is_told_who_changes_its_name(world, login):
    url = reverse("admin:structures_structure_change", args=[world.structures.mine.pk])
    assert "sont changés par votre fédération" in login(world.users.centre).get(url).content.decode()
    assert "sont changés par votre fédération" not in login(world.users.fed49).get(url).content.decode()
