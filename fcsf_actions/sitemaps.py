"""What search engines read: the sitemap (published pages only) and robots.txt.

/sitemap.xml is an index of one sitemap per section (/sitemap-actions.xml…): a section over 50,000 addresses,
the protocol's limit, is split into pages (?p=2) that the index lists.

robots.txt lets crawlers read every public page but not the back-office, the API (data for programs, and every
filter combination would be another address to crawl) nor the downloads (a whole catalogue per request); the
Atom feeds stay open.
"""

from django.contrib import sitemaps
from django.db.models import Max, Q
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from actions.models import Action
from structures.models import Departement, Structure

STATIC_PAGES = ["actions:home", "actions:list", "structures:list", "statistiques:index", "actions:open_data"]
STATIC_PAGES += ["actions:accessibility", "actions:legal"]

ROBOTS_DISALLOW = ["/admin/", "/api/", "/actions/export."]


class StaticSitemap(sitemaps.Sitemap):
    def items(self):
        return STATIC_PAGES

    def location(self, item):
        return reverse(item)


class ActionSitemap(sitemaps.Sitemap):
    def items(self):
        return Action.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, action):
        return action.updated_at


class StructureSitemap(sitemaps.Sitemap):
    """Structures with published actions (the others' pages are empty)."""

    def items(self):
        published = Action.objects.published()
        return (
            Structure.objects.filter(pk__in=published.values("structure"))
            .annotate(last_change=Max("actions__updated_at", filter=Q(actions__in=published)))
            .only("slug")
            .order_by("pk")
        )

    def location(self, structure):
        return reverse("structures:structure", kwargs={"slug": structure.slug})

    def lastmod(self, structure):
        return structure.last_change


class DepartementSitemap(sitemaps.Sitemap):
    """Départements with published actions."""

    def items(self):
        published = Action.objects.published()
        return Departement.objects.filter(pk__in=published.values("structure__departement")).order_by("code")

    def location(self, departement):
        return reverse("structures:departement", kwargs={"code": departement.code})


SITEMAPS = {
    "pages": StaticSitemap,
    "actions": ActionSitemap,
    "structures": StructureSitemap,
    "departements": DepartementSitemap,
}


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
