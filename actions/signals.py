"""Every change that can alter what the public catalogue counts bumps its version (see actions/cache.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from actions.cache import bump_version


def connect():
    from actions.models import Action, Dimension, Initiative, MotCle, Partenaire, Public, Statut, Territoire
    from structures.models import Departement, Region, Structure

    post_save.connect(on_action_changed, sender=Action, dispatch_uid="catalogue-version-save-Action")
    post_delete.connect(on_action_changed, sender=Action, dispatch_uid="catalogue-version-delete-Action")
    senders = [Dimension, Statut, Public, Territoire, Initiative, MotCle, Partenaire, Structure, Departement, Region]
    for sender in senders:
        post_save.connect(bump_version, sender=sender, dispatch_uid=f"catalogue-version-save-{sender.__name__}")
        post_delete.connect(bump_version, sender=sender, dispatch_uid=f"catalogue-version-delete-{sender.__name__}")
    links = [getattr(Action, field).through for field in Action.LIST_FIELDS]
    links.append(Structure.communes_desservies.through)  # where an itinerant structure's actions show
    for through in links:
        uid = f"catalogue-version-links-{through.__name__}"
        m2m_changed.connect(on_links_changed, sender=through, dispatch_uid=uid)


def on_action_changed(instance, **kwargs):
    bump_version(action_ids=[instance.pk])


def on_links_changed(action, instance, pk_set, model, **kwargs):
    from actions.models import Action

    if not action.startswith("post_"):
        return
    if isinstance(instance, Action):  # an action's list changed
        bump_version(action_ids=[instance.pk])
    elif model is Action and pk_set is not None:  # a mot-clé (…) added to or removed from these actions
        bump_version(action_ids=pk_set)
    else:  # a reverse clear (which actions is not said), or a structure's served communes
        bump_version()
