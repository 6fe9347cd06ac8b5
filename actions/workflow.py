"""The publication workflow of a fiche action: the ONLY place its rules live.

States (`Action.State`): brouillon → soumise → publiée → archivée. A centre's brouillon is its own: the federation
may read it but only a « soumise » fiche reaches moderation; a federation publishes directly only its own drafts
(`Action.federation_draft`: created by the federation in the back-office or by an import).

Transitions (`TRANSITIONS`, by name):

========== ======================= ============= =============================== =====================
name        from → to               who           requires                        undone by
========== ======================= ============= =============================== =====================
submit      brouillon → soumise     centre, fed.* résumé and dimension            withdraw / send_back
withdraw    soumise → brouillon     centre        —                               submit
publish     soumise → publiée       federation    résumé and dimension            unpublish
            brouillon → publiée     federation*   (* a federation: only its own draft, see above)
send_back   soumise → brouillon     federation    a comment for the centre        submit
unpublish   publiée → soumise       federation    —                               publish
archive     publiée/soumise → arch. federation    —                               restore
restore     archivée → soumise      federation    —                               archive / publish
========== ======================= ============= =============================== =====================

« centre » is a member of the fiche's structure, « federation » a user whose territory covers it (or a
superuser); both come from `accounts.perms`.

A centre editing a soumise fiche withdraws its submission (the form says so); a published fiche is changed by its
federation only.

The API (used by the admin form, the bulk actions, both imports and the commands):

- `allowed_transitions(user, action)` → the `Transition`s `user` may fire on `action` now (for the buttons);
- `transition_error(user, action, name, content=None, comment="")` → None, or {field or None: French message};
- `missing_content(action_or_content)` → {field: message} for what a submission or publication lacks;
- `fire(action, name, user, comment="", via=FORM)` → applies one transition under a row lock, records it
  (`actions.models.TransitionRecord`, and the action's history), then calls the `after_transition` callbacks in
  the same transaction; raises `WorkflowError` (with `.errors`) if refused. Fired twice at once, it applies once:
  the second call finds the new state and is refused (« déjà … »);
- `transition_between(user, action, target_state)` → the transition name that moves `action` to `target_state`
  for `user` (None if same state, "" if none), for the imports' « state » column;
- `badge(action, revision_state=None)` → (css class, French label) for lists: « À corriger » for a sent back draft,
  « Révision en attente » / « Révision à corriger » for a pending revision's state, else the fiche's state;
- `SENT_BACK_Q`: the sent back drafts, as a query filter;
- `sent_back_record(action)` → the last send-back record (comment, user, date) of a brouillon, or None;
- `stamp_dates(action, now)` → the dates a state implies, for writers that set the state themselves (imports);
- revisions of published fiches: `pending_revision(action)`, `submit_revision(action, data, user)` (a centre's
  edit; the public keeps the published text), `revision_data(form cleaned data or action)`,
  `revision_diff(action, revision)` (field by field, for moderators), `revisions_to_moderate(user)`; publishing or
  sending back a revision are the transitions `publish_revision` and `send_back_revision` (`fire`);
- `waiting_count(user)` → fiches and revisions waiting in `user`'s moderation scope (None if they moderate nothing);
- `after_transition(callback)` → registers `callback(action, event, actor, comment)`; `event` is the
  notification name (notifications.services.EVENTS), called only for transitions that have one.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import perms

BROUILLON, SOUMISE, PUBLIEE, ARCHIVEE = "brouillon", "soumise", "publiee", "archivee"
CENTRE, FEDERATION = "centre", "federation"
FORM, BULK, IMPORT, COMMAND = "formulaire", "action groupée", "import", "commande"

# What a fiche needs before it is submitted or published: field → what to do.
REQUIRED_CONTENT = {
    "resume": "Écrivez un résumé de deux ou trois phrases avant de soumettre ou de publier l’action.",
    "dimension": "Choisissez une dimension avant de soumettre ou de publier l’action.",
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button
    sources: frozenset
    target: str
    roles: frozenset
    done: str  # « publiée » : the confirmation message says « Action … publiée. »
    needs_content: bool = False
    needs_comment: bool = False
    event: str | None = None  # the notification (notifications.services.EVENTS)
    only_federation_drafts_from: frozenset = frozenset()  # sources a federation may fire from only on its drafts
    revision: bool = False  # acts on the pending Revision of a published fiche, not on the fiche's state


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "submit",
            "Soumettre à la fédération",
            frozenset({BROUILLON}),
            SOUMISE,
            frozenset({CENTRE, FEDERATION}),
            "soumise à la fédération",
            needs_content=True,
            event="submit",
            only_federation_drafts_from=frozenset({BROUILLON}),
        ),
        Transition(
            "withdraw",
            "Retirer la soumission (remettre en brouillon)",
            frozenset({SOUMISE}),
            BROUILLON,
            frozenset({CENTRE}),
            "remise en brouillon",
            event="to_draft",
        ),
        Transition(
            "publish",
            "Publier",
            frozenset({SOUMISE, BROUILLON}),
            PUBLIEE,
            frozenset({FEDERATION}),
            "publiée",
            needs_content=True,
            event="publish",
            only_federation_drafts_from=frozenset({BROUILLON}),
        ),
        Transition(
            "send_back",
            "Renvoyer au centre",
            frozenset({SOUMISE}),
            BROUILLON,
            frozenset({FEDERATION}),
            "renvoyée au centre",
            needs_comment=True,
            event="send_back",
        ),
        Transition(
            "unpublish",
            "Dépublier",
            frozenset({PUBLIEE}),
            SOUMISE,
            frozenset({FEDERATION}),
            "dépubliée (remise en attente de validation)",
            event="unpublish",
        ),
        Transition(
            "archive",
            "Archiver",
            frozenset({PUBLIEE, SOUMISE}),
            ARCHIVEE,
            frozenset({FEDERATION}),
            "archivée",
            event="archive",
        ),
        Transition(
            "submit_revision",
            "Soumettre la révision à la fédération",
            frozenset({PUBLIEE}),
            PUBLIEE,
            frozenset({CENTRE}),
            "révision soumise à la fédération ; le public voit la version publiée jusqu’à sa décision",
            needs_content=True,
            event="submit_revision",
            revision=True,
        ),
        Transition(
            "publish_revision",
            "Publier la révision",
            frozenset({PUBLIEE}),
            PUBLIEE,
            frozenset({FEDERATION}),
            "mise à jour avec la révision",
            event="publish_revision",
            revision=True,
        ),
        Transition(
            "send_back_revision",
            "Renvoyer la révision au centre",
            frozenset({PUBLIEE}),
            PUBLIEE,
            frozenset({FEDERATION}),
            "révision renvoyée au centre",
            needs_comment=True,
            event="send_back_revision",
            revision=True,
        ),
        Transition(
            "restore",
            "Désarchiver (remettre en attente de validation)",
            frozenset({ARCHIVEE}),
            SOUMISE,
            frozenset({FEDERATION}),
            "désarchivée (remise en attente de validation)",
        ),
    ]
}

STATE_LABELS = {BROUILLON: "brouillon", SOUMISE: "soumise", PUBLIEE: "publiée", ARCHIVEE: "archivée"}


class WorkflowError(Exception):
    """A refused transition; `errors` maps a form field (or None) to a French message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


_callbacks = []


def after_transition(callback):
    """Registers `callback(action, event, actor, comment)`, called in the transaction of every transition that
    has an event (see the module docstring). Returns the callback (usable as a decorator); registering twice is
    a no-op."""
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def roles(user, structure_id):
    """The roles `user` holds on fiches of this structure: CENTRE (member), FEDERATION (moderator)."""
    held = set()
    if structure_id is None:
        return held
    if structure_id in perms.get_scope(user).structure_ids:
        held.add(CENTRE)
    if perms.moderates_structure(user, structure_id):
        held.add(FEDERATION)
    return held


def _value(source, name):
    if isinstance(source, dict):
        return source.get(name)
    return getattr(source, f"{name}_id" if name == "dimension" else name)


def missing_content(source):
    """{field: message} for what `source` (an Action, or a form's cleaned data) lacks to be submitted/published."""
    missing = {}
    resume = _value(source, "resume")
    if not (resume or "").strip():
        missing["resume"] = REQUIRED_CONTENT["resume"]
    if not _value(source, "dimension"):
        missing["dimension"] = REQUIRED_CONTENT["dimension"]
    return missing


def _state(action):
    return action.state if action.pk else BROUILLON


def transition_error(user, action, name, content=None, comment="", structure_id=None, held=None):
    """None if `user` may fire `name` on `action` now, else {field or None: French message saying what to do}.

    `content` (a form's cleaned data) is checked instead of the action's stored fields; `structure_id`, the
    structure the fiche will belong to (a form may change it)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return {None: "Cette opération n’existe pas : rechargez la page et choisissez l’un des boutons proposés."}
    state = _state(action)
    structure_id = structure_id if structure_id is not None else action.structure_id
    held = roles(user, structure_id) if held is None else held
    if state not in transition.sources:
        if state == transition.target:
            return {None: f"Cette action est déjà {STATE_LABELS[state]} : rien n’a été changé."}
        return {
            None: f"Une action {STATE_LABELS[state]} ne peut pas être {transition.done} : rechargez la page pour "
            "voir son état actuel."
        }
    if not held & transition.roles:
        if transition.roles == {FEDERATION}:
            return {
                None: f"Seule la fédération peut rendre une action {transition.done}. "
                "Soumettez-la : la fédération la relira et la publiera."
            }
        return {None: f"Seule l’équipe du centre peut rendre cette action {transition.done}."}
    own_draft = action.federation_draft or not action.pk
    if state in transition.only_federation_drafts_from and CENTRE not in held and not own_draft:
        return {
            None: "Ce brouillon appartient au centre : la fédération ne le soumet ni ne le publie ; elle le "
            "modère une fois que le centre l’a soumis. Demandez au centre de le soumettre."
        }
    if transition.revision and name != "submit_revision":
        pending = pending_revision(action)
        if pending is None or pending.state != "soumise":
            return {None: "Aucune révision de cette fiche n’attend de relecture : rechargez la page."}
        content = content if content is not None else pending.data
    if transition.needs_content:
        missing = missing_content(content if content is not None else action)
        if missing:
            return missing
    if transition.needs_comment and not (comment or "").strip():
        return {
            "commentaire_moderation": "Pour renvoyer l’action au centre, expliquez-lui dans ce commentaire ce qu’il "
            "doit corriger."
        }
    return None


def allowed_transitions(user, action, structure_id=None):
    """The transitions `user` may fire on `action` as it is (content and comment not checked: the buttons)."""
    held = roles(user, structure_id if structure_id is not None else action.structure_id)
    if not held and action.pk:
        return []
    allowed = []
    for transition in TRANSITIONS.values():
        if transition.name == "submit_revision":
            continue  # the form's save button on a published fiche
        error = transition_error(user, action, transition.name, comment="x", structure_id=structure_id, held=held)
        if error is None or set(error) <= set(REQUIRED_CONTENT):
            allowed.append(transition)
    return allowed


def transition_between(user, action, target):
    """The transition that moves `action` to state `target` for `user`: None if already there, "" if none."""
    current = _state(action)
    if target == current:
        return None
    held = roles(user, action.structure_id)
    candidates = [t for t in TRANSITIONS.values() if current in t.sources and t.target == target]
    for transition in candidates:
        if held & transition.roles:
            return transition.name
    return candidates[0].name if candidates else ""


def stamp_dates(action, now):
    """The dates the state implies (first publication, submission); returns the fields it changed."""
    changed = []
    if action.state == PUBLIEE and action.published_at is None:
        action.published_at = now
        changed.append("published_at")
    if action.state == SOUMISE and action.submitted_at is None:
        action.submitted_at = now
        changed.append("submitted_at")
    elif action.state == BROUILLON and action.submitted_at is not None:
        action.submitted_at = None
        changed.append("submitted_at")
    return changed


def record(action, name, user, source, comment="", via=FORM, now=None):
    """Writes what a transition did (who, when, comment) and calls the callbacks; the state is already saved."""
    from actions.models import TransitionRecord

    transition = TRANSITIONS[name]
    TransitionRecord.objects.create(
        action=action,
        name=name,
        source=source,
        target=transition.target,
        user=user if user is not None and user.is_authenticated else None,
        comment=comment or "",
        via=via,
        created_at=now or timezone.now(),
    )
    if transition.event:
        actor = user if user is not None and user.is_authenticated else None
        for callback in _callbacks:
            callback(action, transition.event, actor, comment or "")


def fire(action, name, user, comment="", via=FORM, check=True):
    """Applies transition `name` to `action` for `user`: locks the row, checks the rules on the row as stored,
    saves the new state (history included), records it and calls the callbacks, in one transaction.

    Returns the action as saved (`action` is updated too). Raises WorkflowError if refused, nothing written."""
    from actions.models import Action

    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if check:
            error = transition_error(user, locked, name, comment=comment)
            if error:
                raise WorkflowError(error)
        transition = TRANSITIONS[name]
        source = locked.state
        now = timezone.now()
        if transition.revision:
            _fire_revision(locked, name, user, comment)
            record(locked, name, user, source, comment, via, now)
            return locked
        locked.state = transition.target
        stamp_dates(locked, now)
        if name == "send_back":
            locked.commentaire_moderation = comment.strip()
        elif transition.target in (SOUMISE, PUBLIEE):
            locked.commentaire_moderation = ""  # corrected: the comment stays in the records
        if user is not None and user.is_authenticated:
            locked._history_user = user
        locked._change_reason = f"{transition.label} ({via})"
        locked.save()
        for field in ("state", "submitted_at", "published_at", "commentaire_moderation"):
            setattr(action, field, getattr(locked, field))
        action.__dict__.pop("version", None)
        record(locked, name, user, source, comment, via, now)
    return locked


# Revisions of published fiches: the centre's edit waits in a Revision while the public keeps the published text.

REVISION_FIELDS = None  # ["titre", *FICHE_FIELDS], set on first use (models import this module)


def _revision_fields():
    global REVISION_FIELDS
    if REVISION_FIELDS is None:
        from actions.models import FICHE_FIELDS

        REVISION_FIELDS = ["titre", *FICHE_FIELDS]
    return REVISION_FIELDS


def revision_data(source):
    """The fiche's content as a revision stores it (JSON): from a form's cleaned data or from an Action."""
    from actions.models import Action

    data = {}
    for name in _revision_fields():
        field = Action._meta.get_field(name)
        value = source.get(name) if isinstance(source, dict) else getattr(source, name)
        if field.many_to_many:
            entries = value.all() if hasattr(value, "all") else (value or [])
            data[name] = sorted(entry.pk for entry in entries)
        elif field.is_relation:
            data[name] = value.pk if value is not None else None
        else:
            data[name] = value or ""
    return data


def pending_revision(action):
    """The revision of `action` waiting for moderation or for its centre's corrections, or None."""
    from actions.models import Revision

    if action.pk is None:
        return None
    return action.revisions.filter(state__in=Revision.PENDING).select_related("author").first()


def submit_revision(action, data, user, via=FORM):
    """Saves a centre's edit of published `action` as its pending revision, submitted to the federation."""
    from actions.models import Action, Revision

    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        error = transition_error(user, locked, "submit_revision", content=data)
        if error:
            raise WorkflowError(error)
        revision = pending_revision(locked) or Revision(action=locked)
        revision.data, revision.state, revision.author, revision.comment = data, Revision.State.SOUMISE, user, ""
        revision.save()
        record(locked, "submit_revision", user, locked.state, via=via)
    return revision


def _fire_revision(action, name, user, comment):
    from actions.models import Action, Revision

    revision = pending_revision(action)
    if name == "send_back_revision":
        revision.state, revision.comment = Revision.State.RENVOYEE, comment.strip()
        revision.save()
        return
    for field_name, value in revision.data.items():
        field = Action._meta.get_field(field_name)
        if field.many_to_many:
            continue
        setattr(action, field.attname, value)
    if user is not None and user.is_authenticated:
        action._history_user = user
    action._change_reason = "Révision publiée"
    action.save()
    for field_name, value in revision.data.items():
        if Action._meta.get_field(field_name).many_to_many:
            getattr(action, field_name).set(value)
    revision.state = Revision.State.PUBLIEE
    revision.save()


def revision_diff(action, revision):
    """[(field label, published text, proposed text)] for the fields the revision changes, in fiche order."""
    from actions.models import Action

    published = revision_data(action)
    rows = []
    for name in _revision_fields():
        before, after = published.get(name), revision.data.get(name)
        if before == after:
            continue
        field = Action._meta.get_field(name)
        rows.append((field.verbose_name, _display(field, before), _display(field, after)))
    return rows


def _display(field, value):
    if field.many_to_many:
        return ", ".join(field.related_model.objects.filter(pk__in=value).values_list("libelle", flat=True))
    if field.is_relation:
        return str(field.related_model.objects.filter(pk=value).first() or "") if value else ""
    return value or ""


def sent_back_record(action):
    """The last send-back of a brouillon that was sent back and not submitted since, else None."""
    if action.pk is None or action.state != BROUILLON or not action.commentaire_moderation:
        return None
    return action.transitions.filter(name="send_back").select_related("user").order_by("-created_at", "-pk").first()


TO_CORRECT = "a-corriger"
# A draft sent back to its centre: a brouillon with the federation's comment (the rule of `badge`, for queries).
SENT_BACK_Q = Q(state=BROUILLON) & ~Q(commentaire_moderation="")


def badge(action, revision_state=None):
    """(css class, French label) of `action` in the back-office lists; `revision_state`: the state of its pending
    revision, if any, which is what the centre waits on."""
    if revision_state == "soumise":
        return ("revision", "Révision en attente")
    if revision_state == "renvoyee":
        return (TO_CORRECT, "Révision à corriger")
    if action.state == BROUILLON and action.commentaire_moderation:
        return (TO_CORRECT, "À corriger")
    return (action.state, STATE_LABELS[action.state].capitalize())


def waiting_count(user):
    """The number of soumise fiches waiting in `user`'s moderation scope (None for who moderates nothing)."""
    from actions.models import Action

    if not perms.is_federation(user):
        return None
    return Action.objects.to_moderate(user).count() + revisions_to_moderate(user).count()


def revisions_to_moderate(user):
    """The submitted revisions of published fiches in `user`'s territory, oldest first."""
    from actions.models import Action, Revision

    return (
        Revision.objects.filter(state=Revision.State.SOUMISE, action__in=Action.objects.in_scope(user))
        .select_related("action__structure", "author")
        .order_by("updated_at", "pk")
    )
