"""Brute-force protection (django-axes), password validators, and the role groups command."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP
from accounts.roles import ROLE_PERMISSIONS
from tests.accounts.factories import PASSWORD, centre_user
from tests.structures.factories import StructureFactory


def login_post(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_login_works_with_the_right_password(client):
    user = centre_user(StructureFactory())
    response = login_post(client, user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(client):
    user = centre_user(StructureFactory())
    for _ in range(4):
        assert login_post(client, user.username, "mauvais").status_code == 200
    locked = login_post(client, user.username, "mauvais")
    assert locked.status_code == 429
    assert "Connexion bloquée" in locked.content.decode()
    response = login_post(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_username(client):
    user, other = centre_user(StructureFactory()), centre_user(StructureFactory())
    for _ in range(5):
        login_post(client, user.username, "mauvais")
    assert login_post(client, other.username, PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["court", "123456789012", "password1234"])
def test_password_validators_refuse_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_create_roles_is_idempotent():
    out = io.StringIO()
    call_command("create_roles", stdout=out)
    assert "« Équipe de centre » créé" in out.getvalue()
    centre = Group.objects.get(name=CENTRE_GROUP)
    centre.permissions.clear()  # someone fiddled with it in the admin
    out = io.StringIO()
    call_command("create_roles", stdout=out)
    assert "mis à jour" in out.getvalue()
    assert Group.objects.filter(name__in=[CENTRE_GROUP, FEDERATION_GROUP]).count() == 2
    for name, expected in ROLE_PERMISSIONS.items():
        permissions = Group.objects.get(name=name).permissions.select_related("content_type")
        assert {f"{p.content_type.app_label}.{p.codename}" for p in permissions} == set(expected)


@pytest.mark.django_db
def test_centre_group_cannot_touch_vocabularies_or_users():
    call_command("create_roles", stdout=io.StringIO())
    names = set(ROLE_PERMISSIONS[CENTRE_GROUP])
    assert "actions.view_motcle" in names
    assert not {"actions.add_motcle", "auth.change_user", "structures.change_structure"} & names
