import factory
from django.contrib.auth.models import Group, User

from accounts.models import FederationScope, StructureMembership
from accounts.perms import CENTRE_GROUP, FEDERATION_GROUP
from accounts.roles import create_roles
from structures.models import Departement, Region

PASSWORD = "un-mot-de-passe-solide-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
    password = factory.django.Password(PASSWORD)


def centre_user(*structures, **kwargs):
    """A centre's staff member: in the centre group, member of `structures`."""
    create_roles()
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=CENTRE_GROUP))
    for structure in structures:
        StructureMembership.objects.create(user=user, structure=structure)
    return user


def federation_user(*, national=False, regions=(), departements=(), **kwargs):
    """A federation's staff member; `regions` and `departements` are INSEE codes."""
    create_roles()
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=FEDERATION_GROUP))
    scope = FederationScope.objects.create(user=user, national=national)
    scope.regions.set(Region.objects.filter(code__in=regions))
    scope.departements.set(Departement.objects.filter(code__in=departements))
    return user
