from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actions import workflow
from actions.models import Action


class Command(BaseCommand):
    help = (
        "Applique une transition du circuit de publication (actions/workflow.py) à des fiches, au nom d’un compte : "
        "mêmes règles, mêmes enregistrements et mêmes e-mails que dans l’administration. "
        "Code de sortie : 0 tout est fait, 1 des fiches sont refusées."
    )

    def add_arguments(self, parser):
        parser.add_argument("transition", choices=sorted(workflow.TRANSITIONS), help="la transition")
        parser.add_argument("ids", nargs="+", type=int, metavar="ID", help="numéros des fiches")
        parser.add_argument("--user", required=True, help="identifiant du compte au nom duquel agir")
        parser.add_argument("--comment", default="", help="commentaire (obligatoire pour renvoyer au centre)")

    def handle(self, *args, transition, ids, user, comment, **options):
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Aucun compte actif « {user} » : vérifiez l’identifiant.", returncode=2) from None
        found = {action.pk: action for action in Action.objects.filter(pk__in=ids)}
        refused = 0
        for pk in ids:
            action = found.get(pk)
            if action is None:
                self.stderr.write(f"Fiche n° {pk} introuvable.")
                refused += 1
                continue
            try:
                workflow.fire(action, transition, actor, comment, via=workflow.COMMAND)
            except workflow.WorkflowError as error:
                self.stderr.write(f"Fiche n° {pk} « {action.titre} » refusée : {error}")
                refused += 1
                continue
            self.stdout.write(f"Fiche n° {pk} « {action.titre} » : {workflow.TRANSITIONS[transition].done}.")
        if refused:
            raise CommandError(f"{refused} fiche(s) sur {len(ids)} refusée(s) : voir ci-dessus.", returncode=1)
