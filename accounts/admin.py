"""Accounts in the back-office: superusers manage everyone, a federation the centre accounts of its territory."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from accounts import perms
from accounts.admin_mixins import ScopedAdminMixin
from accounts.models import FederationScope, StructureMembership
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


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(ManagedUserQuerySetMixin, ScopedAdminMixin, UserAdmin):
    inlines = [StructureMembershipInline, FederationScopeInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "role"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]

    federation_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
    ]
    federation_fieldsets = [
        (None, {"fields": ["username", "password"]}),
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

    def get_readonly_fields(self, request, obj=None):
        if perms.is_superuser(request.user):
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        if not change and not perms.is_superuser(request.user):
            obj.is_staff = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not perms.is_superuser(request.user):
            group, _ = Group.objects.get_or_create(name=perms.CENTRE_GROUP)
            form.instance.groups.add(group)
