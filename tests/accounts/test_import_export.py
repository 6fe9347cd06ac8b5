"""django-import-export: export what one sees, import only as a federation, in scope, all or nothing."""

import csv
import io
import json

import pytest
import tablib
from django.urls import reverse

from actions.models import Action, Dimension
from structures.models import Structure

CSV_FORMAT, XLSX_FORMAT, JSON_FORMAT = "0", "1", "2"


def export(client, model, file_format=CSV_FORMAT):
    url = reverse(f"admin:{model}_export")
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {"format": file_format}
    # Tick every field the export form offers (the form lists them per resource).
    data.update({name: "on" for name in form.fields if name not in ("format", "resource", "export_items")})
    if "resource" in form.fields:
        data["resource"] = "0"
    return client.post(url, data)


def exported_titles(response):
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["titre"] for row in rows}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("centre", {"Brouillon des Tilleuls", "Soumise des Tilleuls", "Publiée des Tilleuls"}),
        ("fed49", {"Brouillon des Tilleuls", "Soumise des Tilleuls", "Publiée des Tilleuls", "Brouillon du Voisin"}),
        (
            "fed_region",
            {
                "Brouillon des Tilleuls",
                "Soumise des Tilleuls",
                "Publiée des Tilleuls",
                "Brouillon du Voisin",
                "Brouillon de Nantes",
            },
        ),
    ],
)
def test_csv_export_contains_what_the_user_sees(world, login, role, expected):
    response = export(login(getattr(world.users, role)), "actions_action")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert exported_titles(response) == expected


def test_xlsx_and_json_exports(world, login):
    client = login(world.users.centre)
    xlsx = export(client, "actions_action", XLSX_FORMAT)
    assert xlsx.status_code == 200
    titles = set(tablib.Dataset().load(xlsx.content, format="xlsx")["titre"])
    assert titles == {"Brouillon des Tilleuls", "Soumise des Tilleuls", "Publiée des Tilleuls"}
    data = json.loads(export(client, "actions_action", JSON_FORMAT).content)
    assert {row["titre"] for row in data} == titles
    # Headers in words (the fields' verbose names), in every format of the back-office.
    assert {row["structure (identifiant)"] for row in data} == {world.structures.mine.slug}
    assert {"identifiant", "état de publication", "résumé", "nom de la structure"} <= set(data[0])


def test_structure_export_is_scoped(world, login):
    response = export(login(world.users.centre), "structures_structure")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["nom"] for row in rows] == ["Centre social Les Tilleuls"]


def action_csv(world, *rows):
    header = "id,titre,structure,state,resume,dimension,mots_cles\n"
    return header + "".join(f"{row}\n" for row in rows)


def upload(client, model, content, name="import.csv", file_format=CSV_FORMAT):
    file = io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content)
    file.name = name
    return client.post(reverse(f"admin:{model}_import"), {"import_file": file, "format": file_format})


class TestActionImport:
    def test_centre_cannot_import(self, world, login):
        client = login(world.users.centre)
        assert client.get(reverse("admin:actions_action_import")).status_code == 403
        row = f",Forgée,{world.structures.mine.slug},publiee,Un résumé.,Citoyenneté,"
        assert upload(client, "actions_action", action_csv(world, row)).status_code == 403
        forged = {"import_file_name": "x", "original_file_name": "x.csv", "format": CSV_FORMAT, "resource": "0"}
        assert client.post(reverse("admin:actions_action_process_import"), forged).status_code == 403
        assert not Action.objects.filter(titre="Forgée").exists()

    def test_federation_previews_then_confirms(self, world, login):
        client = login(world.users.fed49)
        rows = [
            f",Nouvelle action,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,Culture;Santé",
            f"{world.actions.own_draft.pk},Brouillon renommé,{world.structures.mine.slug},brouillon,Résumé.,,",
        ]
        preview = upload(client, "actions_action", action_csv(world, *rows))
        assert preview.status_code == 200
        assert not preview.context["result"].has_validation_errors()
        assert not Action.objects.filter(titre="Nouvelle action").exists()  # a preview writes nothing
        confirm_form = preview.context["confirm_form"]
        response = client.post(reverse("admin:actions_action_process_import"), confirm_form.initial)
        assert response.status_code == 302
        created = Action.objects.get(titre="Nouvelle action")
        assert created.state == Action.State.PUBLIEE
        assert set(created.mots_cles.values_list("libelle", flat=True)) == {"Culture", "Santé"}
        assert Action.objects.get(pk=world.actions.own_draft.pk).titre == "Brouillon renommé"
        assert created.history.latest().history_user == world.users.fed49

    @pytest.mark.parametrize("outside", ["structure", "id"])
    def test_a_row_outside_scope_rejects_the_whole_file(self, world, login, outside):
        client = login(world.users.fed49)
        good = f",Action valable,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,"
        if outside == "structure":
            bad = f",Action hors périmètre,{world.structures.region.slug},publiee,Un résumé.,,"
        else:  # an existing action of another département, moved into scope by a forged row
            bad = f"{world.actions.region_draft.pk},Volée,{world.structures.neighbour.slug},publiee,Résumé.,,"
        response = upload(client, "actions_action", action_csv(world, good, bad))
        assert response.status_code == 200
        result = response.context["result"]
        assert result.has_validation_errors()
        assert "confirm_form" not in response.context or response.context["confirm_form"] is None
        assert "n’est pas dans votre périmètre" in response.content.decode() or "introuvable dans votre" in (
            response.content.decode()
        )
        assert not Action.objects.filter(titre__in=["Action valable", "Action hors périmètre", "Volée"]).exists()
        assert Action.objects.get(pk=world.actions.region_draft.pk).titre == "Brouillon de Nantes"

    def test_forged_confirmation_of_an_invalid_file_writes_nothing(self, world, login):
        from import_export.tmp_storages import TempFolderStorage

        good = f",Action valable,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,"
        bad = f",Action hors périmètre,{world.structures.region.slug},publiee,Un résumé.,,"
        storage = TempFolderStorage(encoding="utf-8-sig", read_mode="r")
        storage.save(action_csv(world, good, bad).encode())
        forged = {
            "import_file_name": storage.name,
            "original_file_name": "import.csv",
            "format": CSV_FORMAT,
            "resource": "0",
        }
        response = login(world.users.fed49).post(reverse("admin:actions_action_process_import"), forged)
        assert response.status_code == 302  # the import ran, and was rolled back
        assert not Action.objects.filter(titre__in=["Action valable", "Action hors périmètre"]).exists()

    def test_invalid_value_rejects_the_file(self, world, login):
        client = login(world.users.fed_national)
        rows = [
            f",Action valable,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,",
            f",Action à l’état inconnu,{world.structures.neighbour.slug},en-ligne,Un résumé.,,",
        ]
        response = upload(client, "actions_action", action_csv(world, *rows))
        assert response.context["result"].has_validation_errors()
        assert not Action.objects.filter(titre="Action valable").exists()

    def test_xlsx_import(self, world, login):
        dataset = tablib.Dataset(headers=["id", "titre", "structure", "state", "resume", "dimension"])
        dimension = Dimension.objects.first().libelle
        dataset.append(["", "Depuis Excel", world.structures.mine.slug, "soumise", "Un résumé.", dimension])
        client = login(world.users.fed49)
        preview = upload(client, "actions_action", dataset.export("xlsx"), name="import.xlsx", file_format="1")
        assert not preview.context["result"].has_validation_errors()
        client.post(reverse("admin:actions_action_process_import"), preview.context["confirm_form"].initial)
        assert Action.objects.get(titre="Depuis Excel").state == Action.State.SOUMISE


class TestStructureImport:
    def test_federation_imports_structures_of_its_departement_only(self, world, login):
        client = login(world.users.fed49)
        ok = "id,nom,kind,departement,commune\n,Centre social Neuf,centre_social,49,Angers\n"
        preview = upload(client, "structures_structure", ok)
        client.post(reverse("admin:structures_structure_process_import"), preview.context["confirm_form"].initial)
        assert Structure.objects.get(nom="Centre social Neuf").departement.code == "49"

        bad = (
            "id,nom,kind,departement,commune\n,Centre social A,centre_social,49,\n,Centre social B,centre_social,44,\n"
        )
        response = upload(client, "structures_structure", bad)
        assert response.context["result"].has_validation_errors()
        assert "n’est pas dans votre périmètre" in response.content.decode()
        assert not Structure.objects.filter(nom__in=["Centre social A", "Centre social B"]).exists()

    def test_centre_cannot_import_structures(self, world, login):
        assert login(world.users.centre).get(reverse("admin:structures_structure_import")).status_code == 403


def test_exported_file_has_verbose_headers_and_imports_back(world, login):
    client = login(world.users.fed49)
    exported = export(client, "actions_action").content.decode("utf-8-sig")
    header = exported.splitlines()[0]
    assert header.startswith("identifiant,titre,structure (identifiant),nom de la structure,département")
    assert "resume" not in header and "_" not in header
    renamed = exported.replace("Brouillon du Voisin", "Brouillon du Voisin renommé")
    preview = upload(client, "actions_action", renamed)
    assert preview.status_code == 200
    assert not preview.context["result"].has_validation_errors()
    response = client.post(reverse("admin:actions_action_process_import"), preview.context["confirm_form"].initial)
    assert response.status_code == 302
    assert Action.objects.get(pk=world.actions.neighbour_draft.pk).titre == "Brouillon du Voisin renommé"
