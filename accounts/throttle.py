"""Login throttling beyond django-axes (which locks one identifier from one address after 5 failures for an hour).

Two more limits, read from the security log (`AuditEvent`, in the database: every process and server sees them):

- **per account, across addresses**: from `ACCOUNT_FREE_FAILURES` failures of one identifier since its last
  successful login (and within `WINDOW`), whatever the addresses, each new attempt must wait a delay that doubles
  with each further failure: 1 min, 2, 4… up to `MAX_DELAY` (1 hour). A delay, not a lock: the owner is slowed
  down at most an hour by someone who tries their account, never locked out for good;
- **per address, across identifiers**: `ADDRESS_LIMIT` failures from one address in `ADDRESS_WINDOW` block that
  address until the oldest of them is older than the window.

The message is the same whether the identifier exists or not (failures of unknown identifiers are counted too).
Pure function `required_wait` decides; `login_wait` reads the log.
"""

import math
from datetime import timedelta

from django.utils import timezone

ACCOUNT_FREE_FAILURES = 5
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
WINDOW = timedelta(hours=24)
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(hours=1)


def account_delay(failures):
    """How long after its last failure an account with `failures` consecutive failures must wait."""
    if failures < ACCOUNT_FREE_FAILURES:
        return timedelta(0)
    return min(BASE_DELAY * 2 ** (failures - ACCOUNT_FREE_FAILURES), MAX_DELAY)


def required_wait(*, account_failures, last_account_failure, address_failures, now):
    """The time left to wait before the next attempt, given recent failures (`address_failures`: their dates,
    newest first); timedelta(0) when an attempt may be made now."""
    wait = timedelta(0)
    if last_account_failure is not None:
        wait = max(wait, last_account_failure + account_delay(account_failures) - now)
    if len(address_failures) >= ADDRESS_LIMIT:
        oldest_counted = address_failures[ADDRESS_LIMIT - 1]
        wait = max(wait, oldest_counted + ADDRESS_WINDOW - now)
    return max(wait, timedelta(0))


def login_wait(username, address, now=None):
    """The wait imposed on a login attempt of `username` from `address` (two indexed queries)."""
    from accounts.models import AuditEvent

    now = now or timezone.now()
    Kind = AuditEvent.Kind
    failures = []
    if username:
        last_success = (
            AuditEvent.objects.filter(kind=Kind.LOGIN, username=username, created_at__gt=now - WINDOW)
            .values_list("created_at", flat=True)
            .first()
        )
        since = max(filter(None, [now - WINDOW, last_success]))
        failures = list(
            AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, username=username, created_at__gt=since).values_list(
                "created_at", flat=True
            )[:64]
        )
    address_failures = []
    if address:
        address_failures = list(
            AuditEvent.objects.filter(
                kind=Kind.LOGIN_FAILED, ip_address=address, created_at__gt=now - ADDRESS_WINDOW
            ).values_list("created_at", flat=True)[:ADDRESS_LIMIT]
        )
    return required_wait(
        account_failures=len(failures),
        last_account_failure=failures[0] if failures else None,
        address_failures=address_failures,
        now=now,
    )


def wait_message(wait):
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return (
        "Trop de tentatives de connexion ont échoué. Par sécurité, attendez "
        f"{minutes} minute{'s' if minutes > 1 else ''} avant de réessayer. Si vous avez oublié votre mot de "
        "passe, suivez le lien « Mot de passe oublié ? » sous le formulaire."
    )
