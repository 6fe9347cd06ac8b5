"""Accounts in the back-office: superusers manage everyone, a federation the centre accounts of its territory.

Nobody but a superuser sets another person's password: the federation's forms have no password field, the
« changer le mot de passe » page of another account answers 403 to everyone else, and what a superuser does there
is written to the security log. A person chooses their own password (reset by e-mail from the login page, or the
invitation link). The security log (`AuditEvent`) is read-only, for national federation staff and superusers.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied

from accounts import audit, perms
from accounts.admin_mixins import ScopedAdminMixin
from accounts.models import AuditEvent, FederationScope, StructureMembership
from fcsf_actions.admin_site import ReadOnlyLogAdmin
from structures.models import Structure


class StructureMembershipInline(admin.TabularInline):
    model = StructureMembership
    extra = 0
    autocomplete_fields = ["structure"]
    verbose_name = "structure de rattachement"
    verbose_name_plural = "structures de rattachement (équipe de centre)"

    def get_formset(self, request, obj=None, **kwargs):
        if not perms.is_superuser(request.user):
            # A centre account the federation creates must belong to one of its structures, or it would vanish.
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "structure":
            kwargs["queryset"] = Structure.objects.in_scope(request.user).select_related("departement")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FederationScopeInline(admin.StackedInline):
    model = FederationScope
    can_delete = True
    filter_horizontal = ["regions", "departements"]
    verbose_name_plural = "périmètre de fédération (équipe de fédération)"


class ManagedUserQuerySetMixin:
    """The ScopedAdminMixin's rules, for accounts: one rule, the accounts the user manages."""

    def scoped(self, request, rule):
        if rule == "deletable_by" and not perms.is_superuser(request.user):
            return User.objects.none()
        return User.objects.filter(perms.managed_users_q(request.user))

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request).filter(perms.managed_users_q(request.user))


class AccountCreationForm(forms.ModelForm):
    """A federation creates a centre account without a password: the person chooses it themselves
    (« Mot de passe oublié ? » on the login page sends them a link to their e-mail address)."""

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name"]
        help_texts = {
            "email": "Obligatoire : la personne y reçoit le lien pour choisir son mot de passe.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(ManagedUserQuerySetMixin, ScopedAdminMixin, UserAdmin):
    inlines = [StructureMembershipInline, FederationScopeInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "role"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]

    federation_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "first_name", "last_name"]}),
    ]
    federation_fieldsets = [
        (None, {"fields": ["username"]}),
        ("Identité", {"fields": ["first_name", "last_name", "email"]}),
        ("Accès", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]

    @admin.display(description="rôle")
    def role(self, obj):
        if obj.is_superuser:
            return "Superutilisateur"
        names = [group.name for group in obj.groups.all()]
        return ", ".join(names) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if perms.is_superuser(request.user):
            return inlines
        return [inline for inline in inlines if not isinstance(inline, FederationScopeInline)]

    def get_list_filter(self, request):
        return super().get_list_filter(request) if perms.is_superuser(request.user) else ["is_active"]

    def get_fieldsets(self, request, obj=None):
        if perms.is_superuser(request.user):
            return super().get_fieldsets(request, obj)
        return self.federation_add_fieldsets if obj is None else self.federation_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not perms.is_superuser(request.user):
            kwargs["form"] = AccountCreationForm
        return super().get_form(request, obj, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        """Only a superuser sets another person's password, and the security log keeps it."""
        if not perms.is_superuser(request.user):
            raise PermissionDenied(
                "Vous ne pouvez pas choisir le mot de passe d’une autre personne : elle le choisit elle-même "
                "avec le lien « Mot de passe oublié ? » de la page de connexion."
            )
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = self.get_object(request, id)
            if target is not None:
                audit.record(audit.Kind.PASSWORD_SET_BY_ADMIN, request=request, user=target)
        return response

    def get_readonly_fields(self, request, obj=None):
        if perms.is_superuser(request.user):
            return super().get_readonly_fields(request, obj)
        # The address receives the password reset link: whoever could change it could take the account over.
        return ["last_login", "date_joined", *(["email"] if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        if not change and not perms.is_superuser(request.user):
            obj.is_staff = True
        super().save_model(request, obj, form, change)
        if not change and perms.is_superuser(request.user) and obj.has_usable_password():
            audit.record(audit.Kind.PASSWORD_SET_BY_ADMIN, request=request, user=obj, detail="à la création")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not perms.is_superuser(request.user):
            group, _ = Group.objects.get_or_create(name=perms.CENTRE_GROUP)
            form.instance.groups.add(group)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLogAdmin):
    """The security log: read-only, for national federation staff and superusers (whatever their groups)."""

    list_display = ["created_at", "kind", "username", "actor", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = ["created_at", "kind", "user", "username", "actor", "ip_address", "detail"]

    def may_read(self, request):
        scope = perms.get_scope(request.user)
        return request.user.is_active and request.user.is_staff and (scope.superuser or scope.national)
