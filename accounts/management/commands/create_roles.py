from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLE_PERMISSIONS, create_roles


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les groupes « Équipe de centre » et « Équipe de fédération » avec leurs permissions. "
        "Peut être relancée sans risque : les groupes gardent exactement les permissions prévues."
    )

    def handle(self, *args, **options):
        try:
            result = create_roles()
        except LookupError as error:
            raise CommandError(str(error)) from error
        for name, created in result.items():
            verb = "créé" if created else "mis à jour"
            self.stdout.write(f"Groupe « {name} » {verb} ({len(ROLE_PERMISSIONS[name])} permissions).")
