"""Who may see, change, delete and moderate what: the single source of truth.

Three roles:

- **centre staff** (`StructureMembership`): see, create and edit the actions of their structures (a published one
  through a pending revision); may delete an action that was never published; see their structures;
- **federation staff** (`FederationScope`): everything in their territory (national, or régions and départements):
  actions in any state, moderation, structures, centre accounts; the shared vocabularies are managed by national
  staff only (`manages_vocabularies`), others propose entries;
- **superusers**: everything.

Which state may follow which, and who fires each transition, is `actions/workflow.py`'s (it uses the scope from
here). Querysets (`Action.objects.visible_to(user)`, `Structure.objects.editable_by(user)`…) and the admin both call the
functions below, so a rule changes in one place. Everything fails closed: a user with no membership and no scope
sees nothing, whatever their groups say.
"""

from dataclasses import dataclass

from django.db.models import Q

CENTRE_GROUP = "Équipe de centre"
FEDERATION_GROUP = "Équipe de fédération"

# States an action may be in for its centre to edit it. Which state may follow which, and who moves it, is
# actions/workflow.py's business.
CENTRE_EDITABLE_STATES = frozenset({"brouillon", "soumise", "publiee"})
# A published fiche's edit by its centre is a pending revision (actions/workflow.py); it deletes only unpublished ones.
CENTRE_DELETABLE_STATES = frozenset({"brouillon", "soumise"})
NOTHING = Q(pk__in=[])
# Not Q(): an empty Q vanishes when combined (`NOTHING | Q()` is NOTHING), this one does not.
EVERYTHING = Q(pk__isnull=False)


@dataclass(frozen=True)
class Scope:
    superuser: bool = False
    structure_ids: frozenset = frozenset()
    national: bool = False
    region_ids: frozenset = frozenset()
    departement_ids: frozenset = frozenset()

    @property
    def is_federation(self):
        return self.national or bool(self.region_ids) or bool(self.departement_ids)

    @property
    def is_centre(self):
        return bool(self.structure_ids)


def get_scope(user):
    """The user's memberships and territory, read once per user object (one per request in the admin)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_fcsf_scope", None)
    if cached is not None:
        return cached
    from accounts.models import FederationScope, StructureMembership

    scope = Scope(superuser=user.is_superuser)
    if not user.is_superuser:
        structure_ids = frozenset(StructureMembership.objects.filter(user=user).values_list("structure_id", flat=True))
        federation = FederationScope.objects.filter(user=user).first()
        if federation is None:
            scope = Scope(structure_ids=structure_ids)
        else:
            scope = Scope(
                structure_ids=structure_ids,
                national=federation.national,
                region_ids=frozenset(federation.regions.values_list("pk", flat=True)),
                departement_ids=frozenset(federation.departements.values_list("pk", flat=True)),
            )
    user._fcsf_scope = scope
    return scope


def forget_scope(user):
    """Drop the cached scope, after memberships or scope of this user object changed."""
    user.__dict__.pop("_fcsf_scope", None)


def is_superuser(user):
    return get_scope(user).superuser


def is_federation(user):
    """Federation staff or superuser: may moderate, import and manage vocabularies."""
    scope = get_scope(user)
    return scope.superuser or scope.is_federation


def is_centre(user):
    return get_scope(user).is_centre


def has_role(user):
    """A superuser, or someone with a membership or a federation scope. Everyone else sees nothing."""
    scope = get_scope(user)
    return scope.superuser or scope.is_centre or scope.is_federation


def manages_vocabularies(user):
    """The shared vocabularies (dimensions, mots-clés, publics, partenaires…) are used by fiches of every
    territory: only national federation staff and superusers add, rename or delete their entries. Others with a
    role read them and may propose an entry (`VocabularyProposal`)."""
    scope = get_scope(user)
    return scope.superuser or scope.national


# Q objects. `prefix` is the path from the filtered model to a Structure ("" for Structure, "structure__" for Action).


def territory_q(user, prefix=""):
    """Structures in the user's federation territory (all for a superuser or a national federation)."""
    scope = get_scope(user)
    if scope.superuser or scope.national:
        return EVERYTHING
    if not scope.is_federation:
        return NOTHING
    return Q(**{f"{prefix}departement_id__in": scope.departement_ids}) | Q(
        **{f"{prefix}departement__region_id__in": scope.region_ids}
    )


def membership_q(user, field="pk"):
    """Structures the user works for; `field` is the structure's id as seen from the filtered model."""
    scope = get_scope(user)
    if not scope.structure_ids:
        return NOTHING
    return Q(**{f"{field}__in": scope.structure_ids})


def structure_visible_q(user):
    if is_superuser(user):
        return EVERYTHING
    return membership_q(user) | territory_q(user)


def structure_editable_q(user):
    # A centre edits its own structure's identity, except `STRUCTURE_FEDERATION_FIELDS`.
    return membership_q(user) | territory_q(user)


def structure_deletable_q(user):
    return territory_q(user)


# What only the federation (or a superuser) changes on a structure: for its centre, they are read-only. The name
# too: it is the structure's public identity and the fiche import's key (a centre asks its federation).
STRUCTURE_FEDERATION_FIELDS = ("nom", "kind", "membre_federation", "departement")


def structure_readonly_fields(user, structure):
    """The fields of `structure` that `user` may see but not change (a new structure: none, only federations add)."""
    if structure is None or structure.pk is None or moderates_structure(user, structure.pk):
        return ()
    return STRUCTURE_FEDERATION_FIELDS


def action_visible_q(user):
    if is_superuser(user):
        return EVERYTHING
    return membership_q(user, "structure_id") | territory_q(user, "structure__")


def action_editable_q(user):
    if is_superuser(user):
        return EVERYTHING
    return territory_q(user, "structure__") | (membership_q(user, "structure_id") & Q(state__in=CENTRE_EDITABLE_STATES))


def action_deletable_q(user):
    # A centre may delete what it has not published yet; a federation anything in its territory.
    if is_superuser(user):
        return EVERYTHING
    return territory_q(user, "structure__") | (
        membership_q(user, "structure_id") & Q(state__in=CENTRE_DELETABLE_STATES)
    )


def departement_scope_q(user):
    """Départements in the user's territory (for a structure's département)."""
    scope = get_scope(user)
    if scope.superuser or scope.national:
        return EVERYTHING
    if not scope.is_federation:
        return NOTHING
    return Q(pk__in=scope.departement_ids) | Q(region_id__in=scope.region_ids)


# Object-level questions.


def moderates_structure(user, structure_id):
    """May `user` moderate the actions of this structure (publish, archive, send back)?"""
    from structures.models import Structure

    if structure_id is None:
        return False
    if is_superuser(user):
        return True
    return Structure.objects.filter(territory_q(user), pk=structure_id).exists()


def managed_users_q(user):
    """Accounts a user may manage: everything for a superuser; for a federation, the centre accounts whose every
    structure is in its territory (never a superuser, never another federation account)."""
    from django.contrib.auth import get_user_model

    from structures.models import Structure

    if is_superuser(user):
        return EVERYTHING
    if not is_federation(user):
        return NOTHING
    in_territory = Structure.objects.filter(territory_q(user)).values("pk")
    outside = Structure.objects.exclude(pk__in=in_territory).values("pk")
    managed = (
        get_user_model()
        .objects.filter(is_superuser=False, federation_scope__isnull=True, memberships__structure__in=in_territory)
        .exclude(memberships__structure__in=outside)
    )
    return Q(pk__in=managed.values("pk"))
