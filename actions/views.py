from django.shortcuts import get_object_or_404, render

from actions.models import Action


def home(request):
    latest = Action.objects.published().select_related("structure__departement", "dimension")[:6]
    return render(request, "actions/home.html", {"latest": latest})


def action_list(request):
    actions = Action.objects.published().select_related("structure__departement", "dimension")
    return render(request, "actions/list.html", {"actions": actions})


def action_detail(request, slug):
    action = get_object_or_404(Action.objects.published().select_related("structure__departement"), slug=slug)
    return render(request, "actions/detail.html", {"action": action})
