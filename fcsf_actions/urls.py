from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from accounts import views as accounts_views
from accounts.forms import AuditedSetPasswordForm, OutboxPasswordResetForm
from actions import staff_admin
from fcsf_actions.sitemaps import SITEMAPS, robots_txt


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's icon, not a 404."""
    return redirect(static("favicon.svg"), permanent=True)


# The admin's header and title on the password reset pages (they are not admin views: no each_context).
RESET_CONTEXT = {"site_header": admin.site.site_header, "site_title": admin.site.site_title, "site_url": "/"}

urlpatterns = [
    # Staff pages next to the admin site's own (admin_view: signed-in staff only).
    path(
        "admin/",
        include(
            [
                path("inviter/", admin.site.admin_view(accounts_views.invite), name="admin_invite"),
                path("equipe/", admin.site.admin_view(accounts_views.team), name="admin_team"),
                path(
                    "actions/action/<int:pk>/dupliquer/",
                    admin.site.admin_view(staff_admin.duplicate),
                    name="admin_action_duplicate",
                ),
                path(
                    "actions/action/<int:pk>/demander-une-modification/",
                    admin.site.admin_view(staff_admin.request_change),
                    name="admin_action_request_change",
                ),
            ]
        ),
    ),
    # Password reset by e-mail, from the login page (Django's views, templates/registration/, e-mail via the outbox).
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            subject_template_name="registration/password_reset_subject.txt",
            extra_context=RESET_CONTEXT,
        ),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(extra_context=RESET_CONTEXT),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=AuditedSetPasswordForm, extra_context=RESET_CONTEXT),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=RESET_CONTEXT),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("", include("opendata.urls")),
    path("", include("actions.urls")),
    path("", include("structures.urls")),
    path("", include("statistiques.urls")),
]
