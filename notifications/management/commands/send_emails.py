from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from notifications.outbox import send_pending


def plural(count, singular, plural_form):
    return f"{count} {singular if count <= 1 else plural_form}"  # French: 0 and 1 are singular


class Command(BaseCommand):
    help = (
        "Envoie les courriels en attente dans la boîte d’envoi. Un envoi qui échoue est retenté plus tard "
        "(délai doublé à chaque échec), puis abandonné après EMAIL_MAX_ATTEMPTS tentatives. À lancer par cron, "
        "toutes les minutes ou toutes les cinq minutes ; deux lancements simultanés n’envoient rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sans-attendre",
            action="store_true",
            dest="without_waiting",
            help="retenter tout de suite les courriels en attente, sans attendre la fin de leur délai",
        )

    def handle(self, *args, without_waiting=False, **options):
        report = send_pending(without_waiting=without_waiting)
        for email in report.retried:
            when = date_format(timezone.localtime(email.next_attempt_at), "j F Y à H:i")
            self.stderr.write(
                f"Échec pour {email.recipient} (« {email.subject} ») : {email.last_error}. "
                f"Nouvelle tentative le {when} ({email.attempts} sur {settings.EMAIL_MAX_ATTEMPTS})."
            )
        for email in report.given_up:
            self.stderr.write(
                f"Abandon pour {email.recipient} (« {email.subject} ») après {email.attempts} "
                f"tentative{'s' if email.attempts > 1 else ''} : {email.last_error}."
            )
        self.stdout.write(
            f"{plural(len(report.sent), 'courriel envoyé', 'courriels envoyés')}, "
            f"{plural(len(report.retried), 'à retenter', 'à retenter')}, "
            f"{plural(len(report.given_up), 'abandonné', 'abandonnés')}."
        )
        if report.given_up:
            raise CommandError(
                f"{plural(len(report.given_up), 'courriel abandonné', 'courriels abandonnés')} : vérifiez les "
                "adresses et la configuration du serveur SMTP (EMAIL_URL), puis voyez « Courriels sortants » dans "
                "l’administration."
            )
