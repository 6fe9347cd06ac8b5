"""« Mes notifications » for everyone with a back-office account; the outbox, read-only, for superusers."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from accounts import perms
from fcsf_actions.admin_site import ReadOnlyLogAdmin
from notifications.forms import PreferenceForm
from notifications.models import NotificationPreference, OutgoingEmail


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """One page, the user's own choice: its URL is the model's list, so the admin home links to it."""

    def _own_page(self, request):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._own_page(request)

    def has_view_permission(self, request, obj=None):
        return self._own_page(request) and (obj is None or obj.user_id == request.user.pk)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # There is no delete page (get_urls); this only lets the deletion of an account take its choice along.
        return True

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("", self.admin_site.admin_view(self.preference_view), name="{}_{}_changelist".format(*info))]

    def preference_view(self, request):
        preference = NotificationPreference.objects.filter(user=request.user).first()
        form = PreferenceForm(request.POST or None, instance=preference or NotificationPreference(user=request.user))
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, "Vos préférences de notification sont enregistrées.")
            return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "Mes notifications",
            "opts": self.opts,
            "form": form,
            "email": request.user.email,
            "federation": perms.is_federation(request.user),
            "centre": perms.is_centre(request.user),
        }
        return TemplateResponse(request, "notifications/admin/preference.html", context)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyLogAdmin):
    """What left, what waits and why: for superusers, to check the SMTP settings; nothing here is edited."""

    list_display = ["created_at", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]

    def may_read(self, request):
        return request.user.is_active and request.user.is_superuser
