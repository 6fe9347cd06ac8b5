from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from accounts import views as accounts_views
from actions import staff_admin
from fcsf_actions.sitemaps import SITEMAPS, robots_txt


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's icon, not a 404."""
    return redirect(static("favicon.svg"), permanent=True)


admin.site.site_header = "Actions des centres sociaux – administration"
admin.site.site_title = "Actions des centres sociaux"
admin.site.index_title = "Gestion du catalogue"

urlpatterns = [
    path("admin/inviter/", admin.site.admin_view(accounts_views.invite), name="admin_invite"),
    path("admin/equipe/", admin.site.admin_view(accounts_views.team), name="admin_team"),
    path(
        "admin/actions/action/<int:pk>/dupliquer/",
        admin.site.admin_view(staff_admin.duplicate),
        name="admin_action_duplicate",
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
