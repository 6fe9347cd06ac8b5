"""The security log: `record(kind, …)` writes one `AuditEvent` (who, when, from where).

API (used by the invitation and account features too):

    from accounts import audit
    audit.record(audit.Kind.INVITATION, request=request, user=invited_user, detail="centre : Les Tilleuls")

- `request`: the current request, when there is one: the actor (`request.user`, when authenticated) and the
  client address come from it. Without it, the request of the current thread is used (simple-history's
  middleware keeps it), so that signal handlers of model changes know who acted.
- `user`: the account concerned; `username` the identifier typed (a failed login of an unknown account).
- `actor`: who did it, when it is not `request.user`.
- `detail`: one line of French saying what changed.

Logins, failed logins, lockouts, logouts, role and scope changes, password changes and resets are recorded by the
signal handlers below; back-office exports by `ScopedImportExportMixin`. The log is in the back-office
(« Journal de sécurité »), read-only, for national federation staff and superusers.
"""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import AuditEvent, FederationScope, StructureMembership
from fcsf_actions.ratelimit import client_address

Kind = AuditEvent.Kind
logger = logging.getLogger(__name__)


def current_request():
    try:
        from simple_history.models import HistoricalRecords

        return getattr(HistoricalRecords.context, "request", None)
    except ImportError:  # pragma: no cover
        return None


def request_address(request):
    if request is None:
        return ""
    return client_address(request, getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0))


def record(kind, *, request=None, user=None, username="", actor=None, detail=""):
    """Write one event of `kind` (an `AuditEvent.Kind`) and return it."""
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            actor = request_user
    if user is not None and user.pk is None:
        user = None
    if not username and user is not None:
        username = user.get_username()
    event = AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or "")[:150],
        actor=actor,
        ip_address=request_address(request),
        detail=detail[:2000],
    )
    logger.info("audit %s user=%s actor=%s ip=%s", kind, username, actor, event.ip_address)
    return event


# Logins.


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(Kind.LOGIN, request=request, user=user, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.LOGOUT, request=request, user=user, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "") or ""
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    refused = getattr(request, "fcsf_login_wait", None) or getattr(request, "axes_locked_out", False)
    # An attempt refused before its password was checked is a lockout, not one more failure.
    record(Kind.LOCKOUT if refused else Kind.LOGIN_FAILED, request=request, user=user, username=username)


# Role and scope changes: the user's flags and groups, memberships and federation scopes.

_WATCHED_USER_FIELDS = ("is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_pre_save")
def _user_pre_save(sender, instance, **kwargs):
    instance._audit_before = None
    if instance.pk is not None:
        instance._audit_before = sender._default_manager.filter(pk=instance.pk).values(*_WATCHED_USER_FIELDS).first()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_post_save")
def _user_post_save(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        return
    changes = [
        f"{field} : {'oui' if before[field] else 'non'} → {'oui' if getattr(instance, field) else 'non'}"
        for field in _WATCHED_USER_FIELDS
        if before[field] != getattr(instance, field)
    ]
    if changes:
        record(Kind.ROLE_CHANGED, user=instance, detail=" ; ".join(changes))


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="audit_groups")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from django.contrib.auth.models import Group

    names = ", ".join(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    verb = {"post_add": "groupes ajoutés", "post_remove": "groupes retirés", "post_clear": "tous les groupes retirés"}
    record(Kind.ROLE_CHANGED, user=instance, detail=f"{verb[action]} : {names}".rstrip(" :"))


@receiver(post_save, sender=StructureMembership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance, created, **kwargs):
    if created:
        record(Kind.SCOPE_CHANGED, user=instance.user, detail=f"rattaché à « {instance.structure} »")


def _deleted_with_its_user(instance, origin):
    """A row deleted because its account is: the account's deletion is logged once, by `_user_deleted`."""
    user_model = get_user_model()
    if isinstance(origin, QuerySet):  # « supprimer les utilisateurs sélectionnés »
        return origin.model is user_model
    return isinstance(origin, user_model) and origin.pk == instance.user_id


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_deleted")
def _user_deleted(sender, instance, **kwargs):
    record(Kind.ACCOUNT_CHANGED, username=instance.get_username(), detail="compte supprimé")


@receiver(post_delete, sender=StructureMembership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance, origin=None, **kwargs):
    if _deleted_with_its_user(instance, origin):
        return
    user = get_user_model()._default_manager.filter(pk=instance.user_id).first()
    record(Kind.SCOPE_CHANGED, user=user, detail=f"n’est plus rattaché à la structure n° {instance.structure_id}")


@receiver(post_save, sender=FederationScope, dispatch_uid="audit_scope_saved")
def _scope_saved(sender, instance, created, **kwargs):
    detail = "périmètre de fédération créé" if created else "périmètre de fédération modifié"
    national = "oui" if instance.national else "non"
    record(Kind.SCOPE_CHANGED, user=instance.user, detail=f"{detail} (national : {national})")


@receiver(post_delete, sender=FederationScope, dispatch_uid="audit_scope_deleted")
def _scope_deleted(sender, instance, origin=None, **kwargs):
    if _deleted_with_its_user(instance, origin):
        return
    user = get_user_model()._default_manager.filter(pk=instance.user_id).first()
    record(Kind.SCOPE_CHANGED, user=user, detail="périmètre de fédération supprimé")


def _territory_changed(label):
    def handler(sender, instance, action, reverse, pk_set, model, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear") or reverse:
            return
        names = ", ".join(str(obj) for obj in model._default_manager.filter(pk__in=pk_set or []))
        verb = {"post_add": "ajoutés", "post_remove": "retirés", "post_clear": "tous retirés"}[action]
        record(Kind.SCOPE_CHANGED, user=instance.user, detail=f"{label} {verb} : {names}".rstrip(" :"))

    return handler


_regions_changed = _territory_changed("régions")
_departements_changed = _territory_changed("départements")
m2m_changed.connect(_regions_changed, sender=FederationScope.regions.through, dispatch_uid="audit_regions")
m2m_changed.connect(_departements_changed, sender=FederationScope.departements.through, dispatch_uid="audit_deps")


@receiver(user_locked_out, dispatch_uid="audit_axes_lockout")
def _axes_locked_out(sender, request, username, ip_address, **kwargs):
    detail = "trop d’échecs pour cet identifiant depuis cette adresse (django-axes)"
    record(Kind.LOCKOUT, request=request, username=username or "", detail=detail)
