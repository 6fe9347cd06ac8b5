"""Invite a person, see and manage one's team (in the back-office), accept an invitation (public link)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import invitations, perms
from accounts.invitation_forms import AcceptInvitationForm, InvitationForm
from accounts.models import Invitation, StructureMembership
from structures.models import Structure

TEAM_PAGE_SIZE = 50


def _admin_context(request, title):
    return {**admin.site.each_context(request), "title": title}


def invite(request):
    if not perms.invitable_roles(request.user):
        raise PermissionDenied("Vous ne pouvez inviter personne : demandez-le à votre fédération.")
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation, account = invitations.invite(
            request.user, email=data["email"], role=data["role"], **data["territory"]
        )
        granted = invitations.what_is_granted(invitation)
        if account is None:
            messages.success(
                request,
                f"Invitation envoyée à {invitation.email} pour rejoindre {granted}. "
                f"Le lien est valable {invitations.VALID_DAYS} jours.",
            )
        else:
            messages.success(
                request,
                f"{invitation.email} avait déjà un compte : {granted} lui est ajouté, et un message l’en informe.",
            )
        return redirect("admin_team")
    context = {**_admin_context(request, "Inviter une personne"), "form": form}
    return TemplateResponse(request, "admin/accounts/invite.html", context)


def team(request):
    """« Mon équipe »: the accounts of the user's structures and territory, and those they invited."""
    if not perms.invitable_roles(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return _team_post(request)
    User = get_user_model()
    visible_structures = Structure.objects.filter(perms.structure_visible_q(request.user))
    members = (
        User.objects.filter(perms.team_q(request.user))
        .distinct()
        .order_by("-is_active", "last_name", "first_name", "username")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=StructureMembership.objects.filter(structure__in=visible_structures)
                .select_related("structure", "user")
                .order_by("structure__nom"),
            ),
        )
        .select_related("federation_scope")
    )
    page = Paginator(members, TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    memberships = [membership for member in listed for membership in member.memberships.all()]
    removable = perms.removable_memberships(request.user, memberships)
    deactivatable = perms.deactivatable_users(request.user, listed)
    rows = [
        {
            "user": member,
            "memberships": [(membership, membership.pk in removable) for membership in member.memberships.all()],
            "federation": hasattr(member, "federation_scope"),
            "can_deactivate": member.is_active and member.pk in deactivatable,
            "can_reactivate": not member.is_active and member.pk in deactivatable,
        }
        for member in listed
    ]
    pending = (
        Invitation.objects.filter(invited_by=request.user, accepted_at__isnull=True)
        .prefetch_related("structures", "regions", "departements")
        .order_by("-created_at")
    )
    context = {
        **_admin_context(request, "Mon équipe"),
        "rows": rows,
        "page": page,
        "pending": pending,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "admin/accounts/team.html", context)


def _team_post(request):
    User = get_user_model()
    if "membership" in request.POST:
        membership = (
            StructureMembership.objects.select_related("user", "structure")
            .filter(pk=_int(request.POST["membership"]))
            .first()
        )
        if membership is None or not perms.can_remove_membership(request.user, membership):
            raise Http404("Ce rattachement n’existe pas ou n’est pas dans votre périmètre.")
        membership.delete()
        perms.forget_scope(membership.user)
        messages.success(request, f"{_name(membership.user)} ne fait plus partie de {membership.structure.nom}.")
    elif "deactivate" in request.POST or "reactivate" in request.POST:
        member = User.objects.filter(pk=_int(request.POST.get("deactivate") or request.POST.get("reactivate"))).first()
        if member is None or not perms.can_deactivate(request.user, member):
            raise Http404("Ce compte n’existe pas ou n’est pas dans votre périmètre.")
        member.is_active = "reactivate" in request.POST
        member.save(update_fields=["is_active"])
        done = "réactivé : la personne peut de nouveau se connecter" if member.is_active else "désactivé"
        messages.success(request, f"Le compte de {_name(member)} est {done}.")
    return redirect("admin_team")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _name(user):
    return user.get_full_name() or user.get_username()


INVALID = {
    invitations.FORGED: (
        "Ce lien d’invitation n’est pas valide",
        "Il a peut-être été mal copié : ouvrez de nouveau le lien depuis le message reçu, en entier. S’il ne "
        "marche toujours pas, demandez une nouvelle invitation à la personne qui vous a invité·e.",
    ),
    invitations.USED: (
        "Cette invitation a déjà été acceptée",
        "Le lien ne sert qu’une fois. Connectez-vous avec l’identifiant et le mot de passe choisis ; si vous avez "
        "oublié le mot de passe, utilisez « Mot de passe oublié ? » sur la page de connexion.",
    ),
    invitations.EXPIRED: (
        "Cette invitation a expiré",
        "Pour votre sécurité, un lien d’invitation ne vaut que quelques jours. Demandez une nouvelle invitation à "
        "la personne qui vous a invité·e.",
    ),
}


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept(request, token):
    invitation, problem = invitations.check_token(token)
    if problem:
        title, advice = INVALID[problem]
        context = {
            "title": title,
            "advice": advice,
            "inviter": invitation.invited_by if invitation else None,
            "login_url": reverse("admin:login"),
        }
        status = 404 if problem == invitations.FORGED else 410
        return TemplateResponse(request, "accounts/invitation_invalid.html", context, status=status)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = invitations.accept(
            token,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
        )
        if user is None:
            return redirect(request.path)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Bienvenue ! Votre compte est prêt.")
        return redirect("admin:index")
    context = {
        "title": "Accepter l’invitation",
        "form": form,
        "invitation": invitation,
        "granted": invitations.what_is_granted(invitation),
        "inviter": invitations.display_name(invitation.invited_by),
    }
    return TemplateResponse(request, "accounts/invitation_accept.html", context)
