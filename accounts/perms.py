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


# Invitations and teams: who may grant which role, for what, and who may remove whom. Nobody grants more than they
# hold: a centre invites colleagues to its own structures, a federation invites centre staff for structures of its
# territory and federation staff for a territory inside its own (the national federation: any territory).


def territory_within(inner, outer, departement_regions):
    """Is the territory of `inner` inside that of `outer` (two Scopes)? `departement_regions`: {departement id:
    region id} for the départements of `inner`. Pure: no database."""
    if outer.superuser or outer.national:
        return True
    if inner.national:
        return False
    if not inner.region_ids <= outer.region_ids:
        return False
    return all(
        departement in outer.departement_ids or departement_regions.get(departement) in outer.region_ids
        for departement in inner.departement_ids
    )


def invitable_roles(user):
    """The roles `user` may invite people to: [] for someone who may invite nobody."""
    from accounts.models import Invitation

    scope = get_scope(user)
    roles = []
    if scope.superuser or scope.is_centre or scope.is_federation:
        roles.append(Invitation.Role.CENTRE)
    if scope.superuser or scope.is_federation:
        roles.append(Invitation.Role.FEDERATION)
    return roles


def invitable_structures_q(user):
    """The structures `user` may invite centre staff to: their own, and their federation territory's."""
    if is_superuser(user):
        return EVERYTHING
    return membership_q(user) | territory_q(user)


def invitation_error(user, role, *, structures=(), national=False, regions=(), departements=()):
    """None if `user` may invite someone with `role` to these structures or this territory (model instances), else
    a French message saying why not and what to do."""
    from accounts.models import Invitation
    from structures.models import Structure

    if role not in invitable_roles(user):
        return "Vous ne pouvez pas inviter de personne avec ce rôle : demandez-le à votre fédération."
    if role == Invitation.Role.CENTRE:
        if not structures:
            return "Choisissez au moins une structure pour la personne invitée."
        ids = {structure.pk for structure in structures}
        allowed = set(Structure.objects.filter(invitable_structures_q(user), pk__in=ids).values_list("pk", flat=True))
        outside = sorted(structure.nom for structure in structures if structure.pk not in allowed)
        if outside:
            return (
                f"Vous ne pouvez pas inviter de personne pour {', '.join(outside)} : cette structure n’est pas la "
                "vôtre ni dans votre territoire. Demandez à sa fédération de l’inviter."
            )
        return None
    if not (national or regions or departements):
        return "Choisissez le territoire de la personne invitée : national, des régions ou des départements."
    inner = Scope(
        national=national,
        region_ids=frozenset(region.pk for region in regions),
        departement_ids=frozenset(departement.pk for departement in departements),
    )
    departement_regions = {departement.pk: departement.region_id for departement in departements}
    if not territory_within(inner, get_scope(user), departement_regions):
        return (
            "Ce territoire dépasse le vôtre : vous ne pouvez inviter une personne de fédération que pour votre "
            "territoire ou une partie de celui-ci. Demandez à la fédération nationale de l’inviter."
        )
    return None


def removable_memberships(user, memberships):
    """The ids of `memberships` that `user` may remove: those of structures in their federation territory, and
    those they invited that person to; never their own, never a superuser's. Three queries whatever the number."""
    from accounts.models import Invitation
    from structures.models import Structure

    candidates = [m for m in memberships if m.user_id != user.pk and not m.user.is_superuser]
    if not candidates:
        return set()
    structure_ids = {m.structure_id for m in candidates}
    if is_superuser(user):
        moderated = structure_ids
    else:
        moderated = set(Structure.objects.filter(territory_q(user), pk__in=structure_ids).values_list("pk", flat=True))
    invited = set(
        Invitation.objects.filter(invited_by=user, user_id__in={m.user_id for m in candidates}).values_list(
            "user_id", "structures"
        )
    )
    return {m.pk for m in candidates if m.structure_id in moderated or (m.user_id, m.structure_id) in invited}


def can_remove_membership(user, membership):
    """May `user` take `membership.user` off `membership.structure`? (`removable_memberships`)"""
    return membership.pk in removable_memberships(user, [membership])


def deactivatable_users(user, members):
    """The ids of `members` whose account `user` may deactivate (or reactivate): a superuser any but superusers;
    the federation that manages every structure of the account (`managed_users_q`); whoever invited that person,
    if the account holds nothing beyond what they hold (its structures are theirs, its territory inside theirs).
    Never one's own account."""
    from django.contrib.auth import get_user_model

    from accounts.models import Invitation

    candidates = {member.pk: member for member in members if member.pk != user.pk and not member.is_superuser}
    if not candidates:
        return set()
    if is_superuser(user):
        return set(candidates)
    allowed = set(
        get_user_model().objects.filter(managed_users_q(user), pk__in=candidates).values_list("pk", flat=True)
    )
    invited = set(
        Invitation.objects.filter(invited_by=user, user_id__in=set(candidates) - allowed).values_list(
            "user_id", flat=True
        )
    )
    allowed.update(pk for pk in invited if _holds_no_more(user, candidates[pk]))
    return allowed


def _holds_no_more(user, member):
    from structures.models import Departement, Structure

    perms_of_member = _scope_ignoring_active(member)
    own_structures = set(
        Structure.objects.filter(invitable_structures_q(user), pk__in=perms_of_member.structure_ids).values_list(
            "pk", flat=True
        )
    )
    if own_structures != set(perms_of_member.structure_ids):
        return False
    if not perms_of_member.is_federation:
        return True
    departement_regions = dict(
        Departement.objects.filter(pk__in=perms_of_member.departement_ids).values_list("pk", "region_id")
    )
    return territory_within(perms_of_member, get_scope(user), departement_regions)


def _scope_ignoring_active(member):
    """The memberships and territory of `member`, even when the account is deactivated (to reactivate it)."""
    from accounts.models import FederationScope, StructureMembership

    structure_ids = frozenset(StructureMembership.objects.filter(user=member).values_list("structure_id", flat=True))
    federation = FederationScope.objects.filter(user=member).first()
    if federation is None:
        return Scope(structure_ids=structure_ids)
    return Scope(
        structure_ids=structure_ids,
        national=federation.national,
        region_ids=frozenset(federation.regions.values_list("pk", flat=True)),
        departement_ids=frozenset(federation.departements.values_list("pk", flat=True)),
    )


def can_deactivate(user, member):
    """May `user` deactivate or reactivate `member`'s account? (`deactivatable_users`)"""
    return member.pk in deactivatable_users(user, [member])


def team_q(user):
    """The accounts `user` sees on « Mon équipe »: the members of their structures and of their territory's, and
    the people they invited."""
    from structures.models import Structure

    if is_superuser(user):
        return EVERYTHING
    structures = Structure.objects.filter(invitable_structures_q(user)).values("pk")
    return Q(memberships__structure__in=structures) | Q(invitations_received__invited_by=user)
