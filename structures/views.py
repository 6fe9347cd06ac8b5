from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from actions.models import Action
from actions.views import dimension_counts
from structures.models import Departement, Structure

DEPARTEMENT_LATEST = 20


def structure_detail(request, slug):
    structure = get_object_or_404(Structure.objects.select_related("departement__region"), slug=slug)
    actions = Action.objects.published().filter(structure=structure).for_cards().newest_first()
    return render(request, "structures/structure.html", {"structure": structure, "actions": actions})


def departement_detail(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code[:3])
    published = Action.objects.published().filter(structure__departement=departement)
    structures = (
        Structure.objects.filter(departement=departement)
        .annotate(published=Count("actions", filter=Q(actions__in=published)))
        .filter(published__gt=0)
        .order_by("nom")
    )
    context = {
        "departement": departement,
        "total": published.count(),
        "dimensions": dimension_counts(published),
        "structures": structures,
        "actions": published.for_cards().newest_first()[:DEPARTEMENT_LATEST],
    }
    return render(request, "structures/departement.html", context)
