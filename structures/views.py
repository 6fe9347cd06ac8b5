from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

import catalogue
from actions.facets import build_facets
from actions.models import Action
from actions.views import paginate
from structures import contact
from structures.filters import StructureFilterSet
from structures.models import Departement, Structure

DEPARTEMENT_LATEST = 20
STRUCTURE_LATEST = 20


def map_url(departement):
    """The département on the statistics map, or "" while the statistics app is not installed."""
    try:
        return f"{reverse('statistiques:index')}#dep-{departement.code}"
    except NoReverseMatch:
        return ""


@catalogue.cached_page
def structure_list(request):
    filterset = StructureFilterSet(request.GET)
    structures = filterset.qs.select_related("departement", "commune").with_published_count()
    page, page_notice = paginate(structures, request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "notices": [*filterset.notices, *([page_notice] if page_notice else [])],
        "facets": build_facets(filterset, filterset.facet_counts()),
        "chips": filterset.active_filters(),
        "query": filterset.query,
    }
    return render(request, "structures/list.html", context)


@catalogue.cached_page
def structure_detail(request, slug):
    # The served communes are read by the template only for an itinerant structure: no query for the others.
    structure = get_object_or_404(Structure.objects.select_related("departement__region", "commune"), slug=slug)
    total = catalogue.snapshot().structure_counts().get(structure.pk, 0)
    published = Action.objects.published().filter(structure=structure)
    context = {
        "structure": structure,
        "total": total,
        "actions": published.for_cards().newest_first()[:STRUCTURE_LATEST] if total else [],
        "map_url": map_url(structure.departement),
        "contact": contact.public_contact(structure),
        "contact_form": contact.ContactForm(),
    }
    return render(request, "structures/structure.html", context)


# No CSRF token: the form is in pages cached whole for every visitor (`cached_page`), and it needs no session. A
# honeypot field and a limit per address (structures/contact.py) keep robots and floods out.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def structure_contact(request, slug):
    """The contact form of a structure that makes no contact public: GET shows it, POST relays the message."""
    structure = get_object_or_404(Structure.objects.select_related("departement", "commune"), slug=slug)
    context = {"structure": structure, "contact": contact.public_contact(structure), "sent": False}
    if request.method != "POST" or context["contact"]:
        context["contact_form"] = contact.ContactForm()
        return render(request, "structures/contact.html", context)
    form = contact.ContactForm(request.POST)
    context["contact_form"] = form
    if form.is_robot():
        context["sent"] = True  # said to be sent, never sent: a robot learns nothing
        return render(request, "structures/contact.html", context)
    if not form.is_valid():
        return render(request, "structures/contact.html", context, status=400)
    if not contact.allowed(request):
        context["too_many"] = True
        return render(request, "structures/contact.html", context, status=429)
    with transaction.atomic():
        context["sent"] = contact.relay(structure, form) > 0
    context["unreachable"] = not context["sent"]
    return render(request, "structures/contact.html", context)


@catalogue.cached_page
def departement_detail(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code[:3])
    published = Action.objects.published().filter(structure__departement=departement)
    # Present here: based here, or itinerant and serving one of its communes (marked as such on the page).
    snapshot = catalogue.snapshot()
    counts = snapshot.structure_counts()
    structures = []  # those with a published action, in the database's order of names
    present = Structure.objects.present_in([departement]).select_related("commune", "departement")
    for structure in present.order_by("nom", "pk"):
        if structure.pk in counts:
            structure.published_count = counts[structure.pk]
            structures.append(structure)
    total, dimensions = snapshot.dimension_counts(departement)
    context = {
        "departement": departement,
        "total": total,
        "dimensions": dimensions if total else [],
        "structures": structures,
        "actions": published.for_cards().newest_first()[:DEPARTEMENT_LATEST] if total else [],
        "map_url": map_url(departement),
    }
    return render(request, "structures/departement.html", context)
