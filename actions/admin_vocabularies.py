"""The shared lists in the back-office (vocabularies, the search thesaurus), and the proposals of new entries.

- **Who manages them**: national federation staff and superusers only (`perms.manages_vocabularies`): a
  vocabulary is shared by fiches of every territory, so a départemental federation renaming a mot-clé would
  change fiches it does not moderate. Centre and other federation staff read them (the fiche form's
  autocompletes) and may propose an entry; national staff accept (the entry is created) or refuse it.
- **Fail closed**: someone with no membership and no federation scope sees nothing, whatever their groups.
- **Counts** of actions per entry count only the actions the viewer may see; lists can be filtered only by
  the entry's own fields (`?actions=<id>` and other lookups through a relation are refused: 400), so nobody
  learns the entries of a fiche they cannot see.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts import perms
from actions.models import (
    Action,
    Dimension,
    Initiative,
    MotCle,
    Partenaire,
    Public,
    Statut,
    Synonyme,
    Territoire,
    VocabularyProposal,
)

OWN_LOOKUP_FIELDS = {"id", "pk", "libelle", "position", "slug", "cle"}


class NationalStaffChanges:
    """Shared by fiches of every territory: only national staff (and superusers) add, change or delete."""

    def has_add_permission(self, request):
        return perms.manages_vocabularies(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return perms.manages_vocabularies(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return perms.manages_vocabularies(request.user) and super().has_delete_permission(request, obj)


@admin.register(Dimension, Statut, Public, Territoire, Initiative, MotCle, Partenaire)
class VocabularyAdmin(NationalStaffChanges, admin.ModelAdmin):
    """Shared lists: national staff maintain them, everyone with a role reads them (for the autocompletes)."""

    list_display = ["libelle", "position", "nombre_actions"]
    list_editable = ["position"]
    search_fields = ["libelle"]
    ordering = ["position", "libelle"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not perms.has_role(request.user):
            return queryset.none()
        if perms.is_superuser(request.user):
            return queryset.annotate(_nombre_actions=Count("actions"))
        visible = Action.objects.filter(perms.action_visible_q(request.user)).values("pk")
        return queryset.annotate(_nombre_actions=Count("actions", filter=Q(actions__in=visible), distinct=True))

    @admin.display(description="actions (que vous voyez)", ordering="_nombre_actions")
    def nombre_actions(self, obj):
        return obj._nombre_actions

    def lookup_allowed(self, lookup, value, request=None):
        # Only the entry's own fields: never through a relation (`?actions=<id>`, `?actions__structure=…`).
        return lookup.split("__")[0] in OWN_LOOKUP_FIELDS and super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return perms.has_role(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return perms.has_role(request.user) and super().has_view_permission(request, obj)


@admin.register(Synonyme)
class SynonymeAdmin(NationalStaffChanges, admin.ModelAdmin):
    """The search thesaurus (actions/thesaurus.py): the same for the whole catalogue, so national staff alone
    change it; a change shows in the public search at once (the catalogue version moves)."""

    list_display = ["__str__", "actif"]
    list_filter = ["actif"]
    search_fields = ["expressions"]


@admin.register(VocabularyProposal)
class VocabularyProposalAdmin(admin.ModelAdmin):
    """Everyone with a role proposes entries and follows their own proposals; national staff decide."""

    list_display = ["libelle", "vocabulary", "status", "proposed_by", "created_at"]
    list_filter = ["status", "vocabulary"]
    search_fields = ["libelle"]
    actions = ["accept", "refuse"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("proposed_by", "decided_by")
        if perms.manages_vocabularies(request.user):
            return queryset
        if perms.has_role(request.user):
            return queryset.filter(proposed_by=request.user)
        return queryset.none()

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"status", "status__exact", "vocabulary", "vocabulary__exact"}

    # Rights: scope first (fail closed), then nothing else: the role groups are not needed to propose.

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and perms.has_role(request.user)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or perms.manages_vocabularies(request.user) or obj.proposed_by_id == request.user.pk

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if not perms.manages_vocabularies(request.user) or not self.has_module_permission(request):
            return False
        return obj is None or obj.status == VocabularyProposal.Status.PENDING

    def has_delete_permission(self, request, obj=None):
        return perms.manages_vocabularies(request.user) and self.has_module_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not perms.manages_vocabularies(request.user):
            for name in ("accept", "refuse"):
                actions.pop(name, None)
        return actions

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["vocabulary", "libelle", "justification"]
        return ["vocabulary", "libelle", "justification", "proposed_by", "created_at", "status", "response",
                "decided_by", "decided_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["proposed_by", "created_at", "decided_by", "decided_at"]
        if not self.has_change_permission(request, obj):
            return [*readonly, "vocabulary", "libelle", "justification", "status", "response"]
        return [*readonly, "justification"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.proposed_by = request.user
            obj.status = VocabularyProposal.Status.PENDING
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if obj.status != VocabularyProposal.Status.PENDING and obj.decided_at is None:
                self._decide(request, obj, obj.status)

    def _decide(self, request, proposal, status):
        proposal.status = status
        proposal.decided_by = request.user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        if status == VocabularyProposal.Status.ACCEPTED:
            proposal.target_model.objects.get_or_create_by_label(proposal.libelle)

    @admin.action(description="Accepter les propositions sélectionnées (les entrées sont créées)")
    def accept(self, request, queryset):
        self._decide_all(request, queryset, VocabularyProposal.Status.ACCEPTED, "acceptée")

    @admin.action(description="Refuser les propositions sélectionnées")
    def refuse(self, request, queryset):
        self._decide_all(request, queryset, VocabularyProposal.Status.REFUSED, "refusée")

    def _decide_all(self, request, queryset, status, done):
        if not perms.manages_vocabularies(request.user):
            messages.error(request, "Seule la fédération nationale décide des entrées des vocabulaires.")
            return
        count = 0
        with transaction.atomic():
            for proposal in queryset.filter(status=VocabularyProposal.Status.PENDING).select_for_update(of=("self",)):
                self._decide(request, proposal, status)
                count += 1
        messages.success(request, f"{count} proposition(s) {done}(s).")
