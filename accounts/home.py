"""The back-office home per role: what a centre's staff and a federation's staff see first.

- a centre: « Mes fiches » — counts by state, the fiches to correct first, then the others, most recent first;
- a federation: « À faire » — submitted fiches of the territory (count, oldest first), published fiches not updated
  for a year, structures whose identity is incomplete, recent imports.

Bounded queries whatever the size of the catalogue: counts in the database, a few rows each.
"""

from datetime import timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone

from accounts import perms
from actions import workflow
from actions.models import Action
from structures.models import Structure

ROWS = 10
STALE_AFTER = timedelta(days=365)
RECENT_IMPORTS = timedelta(days=30)
# Identity fields whose emptiness the database can see (Structure.missing_identity_fields lists them all).
IDENTITY_EMPTY_Q = (
    Q(kind="")
    | Q(adresse="")
    | Q(commune__isnull=True)
    | Q(code_postal="")
    | Q(telephone="")
    | Q(email="")
    | Q(siret="")
    | Q(mode_gestion="")
    | Q(type_territoire="")
    | Q(population__isnull=True)
)


def preview_url(action):
    """The back-office preview of a fiche (the workflow's), whatever its state."""
    return reverse("admin:actions_action_preview", args=[action.pk])


def centre_home(user):
    scope = perms.get_scope(user)
    fiches = Action.objects.filter(structure_id__in=scope.structure_ids)
    counts = dict(fiches.values_list("state").annotate(n=Count("pk")).order_by())
    to_correct = fiches.filter(workflow.SENT_BACK_Q)
    rows = list(
        fiches.select_related("structure__departement")
        .annotate(to_correct=ExpressionWrapper(workflow.SENT_BACK_Q, output_field=BooleanField()))
        .order_by("-to_correct", "-updated_at", "pk")[: ROWS * 3]
    )
    from actions.models import Revision

    revisions = dict(
        Revision.objects.filter(action__in=[row.pk for row in rows], state__in=Revision.PENDING).values_list(
            "action_id", "state"
        )
    )
    editable = set(
        Action.objects.editable_by(user).filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True)
    )
    entries = []
    for action in rows:
        key, label = workflow.badge(action, revisions.get(action.pk))
        entries.append(
            {
                "action": action,
                "badge_key": key,
                "badge": label,
                "editable": action.pk in editable,
                "preview_url": preview_url(action),
                "can_request_change": action.pk not in editable,
            }
        )
    return {
        "role": "centre",
        "counts": [
            {"state": value, "label": label, "count": counts.get(value, 0)} for value, label in Action.State.choices
        ],
        "to_correct_count": to_correct.count(),
        "entries": entries,
        "total": sum(counts.values()),
        "several_structures": len(scope.structure_ids) > 1,
    }


def federation_home(user, now=None):
    now = now or timezone.now()
    in_scope = Action.objects.in_scope(user)
    waiting = Action.objects.to_moderate(user).select_related("structure__departement")
    stale = (
        in_scope.filter(state=Action.State.PUBLIEE, updated_at__lt=now - STALE_AFTER)
        .select_related("structure")
        .order_by("updated_at", "pk")
    )
    incomplete = Structure.objects.in_scope(user).filter(IDENTITY_EMPTY_Q).select_related("departement")
    imports = (
        in_scope.exclude(imported_fingerprint="")
        .filter(created_at__gte=now - RECENT_IMPORTS)
        .select_related("structure")
        .order_by("-created_at", "pk")
    )
    return {
        "role": "federation",
        "waiting_count": waiting.count(),
        "waiting": list(waiting[:ROWS]),
        "stale_count": stale.count(),
        "stale": list(stale[:ROWS]),
        "incomplete_count": incomplete.count(),
        "incomplete": [
            {"structure": structure, "missing": structure.missing_identity_fields()}
            for structure in incomplete.order_by("nom", "pk")[:ROWS]
        ],
        "imports_count": imports.count(),
        "imports": list(imports[:ROWS]),
    }


def home_context(user):
    """What the home shows `user`, or None for the default admin index only."""
    if perms.is_federation(user):
        context = federation_home(user)
    elif perms.is_centre(user):
        context = centre_home(user)
    else:
        return None
    context["can_invite"] = bool(perms.invitable_roles(user))
    return context
