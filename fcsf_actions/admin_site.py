"""The back-office site: Django's AdminSite with the project's login form (login throttle), object pages that answer
404 alike for a hidden object and a missing one (`ConcealingAdminMixin`, mixed into every ModelAdmin), and a « Voir
sur le site » shortcut (`admin/r/<content type>/<id>/`) that answers only for objects the user may see.

Django's own shortcut checks only `is_staff`: it redirected any staff account to the public address of any object,
whose slug is its title (a draft's title included). Here it goes through the object's ModelAdmin, as the change
page does: the model must be registered, the object in the admin's queryset for this user, and viewable;
otherwise 404, the same answer as for an id that does not exist.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.urls import path


class ConcealingAdminMixin:
    """Mixed into every ModelAdmin of the site: an object the user may not see answers exactly as one that does not
    exist (404), on every object page (change, delete, history…), whatever the model. Django answers 403 for the
    first and a redirect for the second, which tells that the id exists."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not self.has_view_or_change_permission(request, obj):
            return None
        return obj

    def lookup_allowed(self, lookup, value, request=None):
        """A list is filtered through a relation only by a declared list filter: `?actions=<id>` on a list of
        mots-clés would tell which entries a hidden fiche has. Others answer 400."""
        try:
            field = self.model._meta.get_field(lookup.split(LOOKUP_SEP)[0])
        except FieldDoesNotExist:
            field = None
        if field is not None and field.is_relation and not self._declared_filter_lookup(lookup, request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _declared_filter_lookup(self, lookup, request):
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, (list, tuple)):
                item = item[0]
            if isinstance(item, str) and (lookup == item or lookup.startswith(item + LOOKUP_SEP)):
                return True
            if isinstance(item, type) and lookup == getattr(item, "parameter_name", None):
                return True
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"Aucun(e) {opts.verbose_name} n° {object_id} dans votre périmètre.")


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A log in the back-office (security log, e-mail outbox): nothing is added, edited or deleted by hand, and
    only `may_read(request)` sees it, in the menu, the list and every object page."""

    def may_read(self, request):
        raise NotImplementedError

    def has_module_permission(self, request):
        return self.may_read(request)

    def has_view_permission(self, request, obj=None):
        return self.may_read(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self.may_read(request) else queryset.none()


class FcsfAdminSite(admin.AdminSite):
    site_header = "Actions des centres sociaux – administration"
    site_title = "Actions des centres sociaux"
    index_title = "Gestion du catalogue"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ConcealingAdminMixin):
            admin_class = type(
                admin_class.__name__, (ConcealingAdminMixin, admin_class), {"__module__": admin_class.__module__}
            )
        return super().register(model_or_iterable, admin_class, **options)

    @property
    def login_form(self):
        from accounts.forms import LoginForm

        return LoginForm

    def password_change(self, request, extra_context=None):
        """One's own password (the only one a non-superuser may change); a success is logged."""
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            from accounts import audit

            audit.record(audit.Kind.PASSWORD_CHANGED, request=request, user=request.user)
        return response

    def get_urls(self):
        urls = [pattern for pattern in super().get_urls() if getattr(pattern, "name", None) != "view_on_site"]
        shortcut = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [shortcut, *urls]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to the public page of an object the user may see in the back-office, else 404."""
        if not self.visible_object(request, content_type_id, object_id):
            raise Http404("Aucun objet de ce type avec cet identifiant dans votre périmètre.")
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def visible_object(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            return None
        model_admin = self._registry.get(model)
        if model_admin is None:
            return None
        obj = model_admin.get_object(request, unquote(object_id))  # in get_queryset(request), or None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            return None
        return obj
