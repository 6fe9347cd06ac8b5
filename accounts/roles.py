"""The role groups and their model permissions.

Model permissions say what kind of object a role may touch; `accounts.perms` then says which objects (the
structures a centre works for, a federation's territory). Both are needed: a group without a membership or a
scope sees nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP

VOCABULARIES = ["dimension", "statut", "public", "territoire", "initiative", "motcle", "partenaire"]


def _all(app_label, model):
    return [f"{app_label}.{verb}_{model}" for verb in ("view", "add", "change", "delete")]


ROLE_PERMISSIONS = {
    CENTRE_GROUP: [
        *_all("actions", "action"),
        "actions.view_historicalaction",
        # Their own structure's identity (accounts.perms keeps kind, membership and département read-only).
        "structures.view_structure",
        "structures.change_structure",
        "structures.view_historicalstructure",
        "structures.view_commune",
        # Read-only vocabularies: the action form's autocompletes need them; entries are proposed.
        *(f"actions.view_{model}" for model in VOCABULARIES),
        "actions.view_vocabularyproposal",
        "actions.add_vocabularyproposal",
    ],
    FEDERATION_GROUP: [
        *_all("actions", "action"),
        "actions.view_historicalaction",
        # The admin lets only national staff use add/change/delete (accounts.perms.manages_vocabularies).
        *(permission for model in VOCABULARIES for permission in _all("actions", model)),
        *_all("actions", "vocabularyproposal"),
        # The search thesaurus: every federation reads it, national staff alone change it (SynonymeAdmin).
        *_all("actions", "synonyme"),
        *_all("structures", "structure"),
        "structures.view_historicalstructure",
        "structures.view_region",
        "structures.view_departement",
        "structures.view_commune",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        *_all("accounts", "structuremembership"),
    ],
}


def _permission(name):
    app_label, codename = name.split(".")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise LookupError(f"Permission {name} introuvable : lancez d’abord « manage.py migrate ».") from None


@transaction.atomic
def create_roles():
    """Creates or updates the role groups so that they have exactly their permissions. Returns {name: created}."""
    result = {}
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(permission_name) for permission_name in permission_names])
        result[name] = created
    return result
