"""Every URL the back-office registers, for every role: nothing out of scope is revealed.

The URLs are read from the admin site itself (`admin.site.get_urls()` and each ModelAdmin's `get_urls()`): a view
added later is walked too. For each role, the objects it must not see (other structures' drafts, structures outside
its territory, accounts it does not manage, others' proposals, the security log, the outbox, axes' records…) are
put in every URL that takes an object id, and the answer must be the same as for an id that does not exist:
same status, same redirect target, same number of rows in a list. No page, whatever its parameters, contains the
title, name or address of a hidden object, and no answer is a 500. POSTs to hidden objects change nothing.
"""

import re
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType

from accounts import audit
from accounts.models import AuditEvent
from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP
from actions.models import Action, VocabularyProposal
from notifications.models import OutgoingEmail
from structures.models import Structure
from tests.accounts.factories import UserFactory

ROLES = ["centre", "fed49", "fed_region", "fed_national", "superuser", "nobody", "grouped_nobody"]
MISSING_ID = 987654321
OBJECT_PARAMS = re.compile(r"<(?:path|str|int):(object_id|id)>|<(object_id|id)>|\(\[\^/\]\+\)")


@pytest.fixture
def walk_world(world):
    users = world.users
    users.grouped_nobody = UserFactory(username="groupes-sans-perimetre")
    users.grouped_nobody.groups.add(*Group.objects.filter(name__in=[CENTRE_GROUP, FEDERATION_GROUP]))
    extra = SimpleNamespace(
        centre_proposal=VocabularyProposal.objects.create(
            vocabulary="motcle", libelle="Proposition-du-centre-confidentielle", proposed_by=users.centre
        ),
        fed49_proposal=VocabularyProposal.objects.create(
            vocabulary="motcle", libelle="Proposition-de-la-fede49-confidentielle", proposed_by=users.fed49
        ),
        event=audit.record(audit.Kind.ROLE_CHANGED, user=users.centre, detail="Evenement-du-journal-confidentiel"),
        email=OutgoingEmail.objects.create(
            recipient="destinataire-confidentiel@example.org", subject="Sujet-confidentiel", body_text="…"
        ),
        attempt=AccessAttempt.objects.create(
            username="identifiant-tente-confidentiel", ip_address="203.0.113.9", failures_since_start=2
        ),
    )
    return SimpleNamespace(**vars(world), extra=extra)


def hidden_objects(w, role):
    """{model: [objects the role must not see]}."""
    a, s, u, x = w.actions, w.structures, w.users, w.extra
    all_actions = list(vars(a).values())
    all_structures = list(vars(s).values())
    hidden_actions = {
        "centre": [a.neighbour_draft, a.region_draft, a.elsewhere_draft],
        "fed49": [a.region_draft, a.elsewhere_draft],
        "fed_region": [a.elsewhere_draft],
    }
    hidden_structures = {
        "centre": [s.neighbour, s.region, s.elsewhere],
        "fed49": [s.region, s.elsewhere],
        "fed_region": [s.elsewhere],
    }
    everyone = list(User.objects.all())
    if role == "superuser":
        return {}
    me = getattr(u, role)
    managed = {u.centre.pk} if role in ("fed49", "fed_region", "fed_national") else set()
    hidden = {
        Action: hidden_actions.get(role, [] if role == "fed_national" else all_actions),
        Structure: hidden_structures.get(role, [] if role == "fed_national" else all_structures),
        User: [user for user in everyone if user.pk not in managed and user.pk != me.pk],
        VocabularyProposal: [p for p in (x.centre_proposal, x.fed49_proposal) if p.proposed_by_id != me.pk]
        if role != "fed_national"
        else [],
        OutgoingEmail: [x.email],
        AccessAttempt: [x.attempt],
        AuditEvent: [] if role == "fed_national" else [x.event],
    }
    return {model: objects for model, objects in hidden.items() if objects}


def markers(hidden):
    """Strings that only a hidden object can put in a page."""
    found = []
    for model, objects in hidden.items():
        for obj in objects:
            if model is Action:
                found += [obj.titre, obj.slug]
            elif model is Structure:
                found += [obj.nom, obj.slug]
            elif model is User:
                found.append(obj.email)
            elif model is VocabularyProposal:
                found.append(obj.libelle)
            elif model is OutgoingEmail:
                found += [obj.subject, obj.recipient]
            elif model is AccessAttempt:
                found.append(obj.username)
            elif model is AuditEvent:
                found.append(obj.detail)
    return found


def admin_url_patterns():
    """(model or None, model admin or None, prefix, route) for every URL the admin site registers."""
    site_routes = [str(p.pattern) for p in admin.site.get_urls() if getattr(p, "name", None)]
    yield from ((None, None, "/admin/", route) for route in site_routes)
    for model, model_admin in admin.site._registry.items():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            yield model, model_admin, prefix, str(pattern.pattern)


def concrete(prefix, route, object_id, history_id="1"):
    route = route.strip("^$")
    values = iter([str(object_id), str(history_id)])
    path = OBJECT_PARAMS.sub(lambda _match: next(values), route)
    return prefix + path


def fingerprint(response, object_id):
    context = response.context
    cl = context.get("cl") if context is not None and hasattr(context, "get") else None
    return (
        response.status_code,
        response.get("Location", "").replace(str(object_id), "ID"),
        getattr(cl, "result_count", None),
    )


def assert_reveals_nothing(response, url, found_markers):
    assert response.status_code < 500, f"{url}: {response.status_code}"
    body = response.content.decode(errors="replace") + response.get("Location", "")
    revealed = [marker for marker in found_markers if marker and marker in body]
    assert not revealed, f"{url} reveals {revealed}"


def history_id_of(obj):
    history = getattr(obj, "history", None)
    if history is None:
        return MISSING_ID
    latest = history.order_by("-history_id").first()
    return latest.history_id if latest else MISSING_ID


def snapshot():
    return (
        sorted(Action.objects.values_list("pk", "titre", "state", "structure_id")),
        sorted(Structure.objects.values_list("pk", "nom")),
        sorted(User.objects.values_list("pk", "password", "is_active", "is_superuser")),
        sorted(VocabularyProposal.objects.values_list("pk", "status", "libelle")),
        AuditEvent.objects.filter(kind=audit.Kind.ROLE_CHANGED).count(),
        OutgoingEmail.objects.count(),
        AccessAttempt.objects.count(),
    )


POST_DATA = {
    "post": "yes",
    "titre": "Modifié par un inconnu",
    "nom": "Modifié par un inconnu",
    "password1": "un-mot-de-passe-choisi-2026",
    "password2": "un-mot-de-passe-choisi-2026",
    "usable_password": "true",
    "state": "publiee",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_admin_url_reveals_an_object_out_of_scope(walk_world, client, role):
    user = getattr(walk_world.users, role)
    client.force_login(user)
    hidden = hidden_objects(walk_world, role)
    found_markers = markers(hidden)
    before = snapshot()
    walked = 0
    missing_answers = {}

    def missing_fingerprint(method, url, data=None):
        key = (method, url, tuple(sorted((data or {}).items())))
        if key not in missing_answers:
            missing_answers[key] = fingerprint(getattr(client, method)(url, data), MISSING_ID)
        return missing_answers[key]

    for model, model_admin, prefix, route in admin_url_patterns():
        if route in ("logout/", "login/"):
            continue
        takes_object = bool(OBJECT_PARAMS.search(route))
        if route.startswith("r/"):
            for hidden_model, objects in hidden.items():
                content_type = ContentType.objects.get_for_model(hidden_model)
                for obj in objects:
                    url = f"/admin/r/{content_type.pk}/{obj.pk}/"
                    response = client.get(url)
                    missing = missing_fingerprint("get", f"/admin/r/{content_type.pk}/{MISSING_ID}/")
                    assert fingerprint(response, obj.pk) == missing, url
                    assert_reveals_nothing(response, url, found_markers)
                    walked += 1
            continue
        if not takes_object:
            url = prefix + route.strip("^$")
            response = client.get(url)
            assert_reveals_nothing(response, url, found_markers)
            walked += 1
            # A list filtered by a hidden object's id answers as for an id that does not exist.
            if model_admin is not None and route == "":
                for related_model, objects in hidden.items():
                    for field in ("actions", "structure", "structure__id__exact", "user", "proposed_by"):
                        for obj in objects[:1]:
                            if related_model not in (Action, Structure, User):
                                continue
                            response = client.get(url, {field: obj.pk})
                            missing = missing_fingerprint("get", url, {field: MISSING_ID})
                            assert fingerprint(response, obj.pk) == missing, f"{url}?{field}={obj.pk}"
                            assert_reveals_nothing(response, f"{url}?{field}={obj.pk}", found_markers)
                            walked += 1
            continue
        objects = hidden.get(model, [])
        for obj in objects:
            url = concrete(prefix, route, obj.pk, history_id_of(obj))
            missing_url = concrete(prefix, route, MISSING_ID, MISSING_ID)
            for method in ("get", "post"):
                response = getattr(client, method)(url, POST_DATA if method == "post" else None)
                missing = missing_fingerprint(method, missing_url, POST_DATA if method == "post" else None)
                assert fingerprint(response, obj.pk) == missing, f"{method} {url}"
                assert_reveals_nothing(response, url, found_markers)
                walked += 1
        # A visible object's pages show nothing hidden either.
        hidden_pks = {obj.pk for obj in objects}
        visible = model._default_manager.exclude(pk__in=hidden_pks).order_by("pk").first()
        if visible is not None:
            url = concrete(prefix, route, visible.pk, history_id_of(visible))
            assert_reveals_nothing(client.get(url), url, found_markers)
            walked += 1

    # Autocompletes of every autocomplete field, with and without a search term.
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin.autocomplete_fields)]
        sources += [(inline.model, inline.autocomplete_fields) for inline in model_admin.inlines]
        for source_model, field_names in sources:
            for field_name in field_names:
                for term in ("", "Centre", "Brouillon"):
                    params = {
                        "app_label": source_model._meta.app_label,
                        "model_name": source_model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    }
                    response = client.get("/admin/autocomplete/", params)
                    assert_reveals_nothing(response, f"autocomplete {params}", found_markers)
                    walked += 1

    assert snapshot() == before, "a request changed an object out of scope"
    assert walked > 100
