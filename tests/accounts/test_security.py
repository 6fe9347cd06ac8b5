"""Brute-force protection (django-axes), password validators, and the role groups command."""

import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP
from accounts.roles import ROLE_PERMISSIONS
from tests.accounts.factories import PASSWORD, centre_user
from tests.databases import database_url
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
    forbidden = {"actions.add_motcle", "auth.change_user", "structures.add_structure", "structures.delete_structure"}
    assert not forbidden & names
    assert "structures.change_structure" in names  # its own structure's identity only (accounts.perms)


LOCK_FROM_ANOTHER_PROCESS = """
from django.test import Client
client = Client(HTTP_HOST="localhost")
for _ in range(5):
    client.post("/admin/login/", {"username": "verrouille", "password": "mauvais", "next": "/admin/"})
"""


@pytest.mark.django_db(transaction=True)
def test_a_lockout_recorded_by_one_process_holds_in_another():
    """Failures are counted in the database (django-axes), not in a process: every app server sees the lock."""
    user = User.objects.create_user("verrouille", password=PASSWORD, is_staff=True)
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", LOCK_FROM_ANOTHER_PROCESS],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    response = Client(REMOTE_ADDR="127.0.0.1").post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 429
