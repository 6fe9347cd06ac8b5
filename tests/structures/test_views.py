import re

import pytest
from django.urls import reverse

from actions.models import Action, Dimension
from structures.models import Departement
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


@pytest.fixture
def angers(db):
    structure = StructureFactory(nom="Maison pour tous", commune="Angers", code_postal="49000")
    ActionFactory(titre="Jardin", structure=structure)
    ActionFactory(titre="Repas", structure=structure, dimension=Dimension.objects.get(libelle="Services"))
    ActionFactory(titre="Brouillon caché", structure=structure, state=Action.State.BROUILLON)
    return structure


def test_structure_page_shows_identity_and_published_actions(client, angers, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("structures:structure", args=[angers.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Maison pour tous</h1>" in page and "49000 Angers" in page
    assert "Jardin" in page and "Repas" in page and "Brouillon caché" not in page
    assert reverse("structures:departement", args=["49"]) in page


def test_departement_page_counts_by_dimension(client, angers, django_assert_max_num_queries):
    StructureFactory(nom="Sans action publiée")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("structures:departement", args=["49"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Maine-et-Loire (49)</h1>" in page
    assert re.search(r"Citoyenneté</a></th><td>1</td>", page) and re.search(r"Services</a></th><td>1</td>", page)
    assert "Accompagnement de projets</th><td>0</td>" in page
    assert "Maison pour tous" in page and "Sans action publiée" not in page and "Brouillon caché" not in page
    assert "/actions/?departement=49&amp;dimension=services" in page


def test_departement_codes_are_exact(client, db):
    ActionFactory(structure=StructureFactory(departement=Departement.objects.get(code="2A")))
    assert client.get("/departements/2A/").status_code == 200
    assert client.get("/departements/ZZ/").status_code == 404
    assert client.get("/departements/" + "9" * 300 + "/").status_code == 404


def test_unknown_structure_is_404(client, db):
    assert client.get("/structures/inconnue/").status_code == 404
