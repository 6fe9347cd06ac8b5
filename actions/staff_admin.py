"""Back-office additions to the fiche admin kept apart from actions/admin.py: « Dupliquer » a fiche.

A duplicate is a new draft of the same structure (or of the user's only structure if they may not write for the
original's), with every field of the fiche and a title marked « (copie) »; never its state, dates or comment.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import perms
from actions.models import FICHE_FIELDS, Action
from structures.models import Structure


def copy_title(action):
    """« Titre (copie) », or « Titre (copie 2) »… a title the structure does not use yet."""
    taken = set(Action.objects.filter(structure_id=action.structure_id).values_list("titre", flat=True))
    title = f"{action.titre} (copie)"
    number = 2
    while title in taken:
        title = f"{action.titre} (copie {number})"
        number += 1
    return title


@transaction.atomic
def duplicate_action(action, user):
    """A new draft with the fiche's content; its history records `user`."""
    copy = Action(structure_id=action.structure_id, state=Action.State.BROUILLON, titre=copy_title(action))
    for name in FICHE_FIELDS:
        field = Action._meta.get_field(name)
        if not field.many_to_many:
            setattr(copy, field.attname, getattr(action, field.attname))
    copy._history_user = user
    copy.save()
    for name in Action.LIST_FIELDS:
        getattr(copy, name).set(getattr(action, name).all())
    return copy


@require_POST
def duplicate(request, pk):
    action = Action.objects.visible_to(request.user).filter(pk=pk).first()
    if action is None:
        raise Http404("Cette fiche n’existe pas ou n’est pas dans votre périmètre.")
    if not Structure.objects.for_actions_of(request.user).filter(pk=action.structure_id).exists():
        raise Http404("Vous ne pouvez pas créer de fiche pour cette structure.")
    if not (perms.is_federation(request.user) or perms.is_centre(request.user)):
        raise Http404
    copy = duplicate_action(action, request.user)
    messages.success(
        request,
        f"La fiche «\u00a0{action.titre}\u00a0» est dupliquée : voici la copie, en brouillon. Changez son titre "
        "et ce qui diffère, puis enregistrez.",
    )
    return redirect("admin:actions_action_change", copy.pk)
