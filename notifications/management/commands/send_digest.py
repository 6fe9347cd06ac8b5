from django.core.management import call_command
from django.core.management.base import BaseCommand

from notifications.services import send_digests


class Command(BaseCommand):
    help = (
        "Regroupe les notifications en attente en un résumé par personne (celles qui ont choisi « Un résumé par "
        "jour »), puis envoie les courriels en attente. À lancer par cron une fois par jour, p. ex. à 7 h."
    )

    def handle(self, *args, **options):
        emails = send_digests()
        count = len(emails)
        self.stdout.write(f"{count} résumé{'s' if count > 1 else ''} préparé{'s' if count > 1 else ''}.")
        call_command("send_emails", stdout=self.stdout, stderr=self.stderr)
