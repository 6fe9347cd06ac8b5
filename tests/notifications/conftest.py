"""A real SMTP server in the test process (aiosmtpd), the settings pointing at it, and a small world of structures,
centre teams and federations at every level."""

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from actions.models import Action
from notifications import outbox
from structures.models import Departement
from tests.accounts.factories import centre_user, federation_user
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


@dataclass
class Received:
    """One message as the SMTP server received it."""

    envelope_to: list
    message: object

    @property
    def subject(self):
        # Python folds a long encoded subject onto the next line: the leading space left is folding, not text.
        return self.message["Subject"].strip()

    @property
    def text(self):
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's line ends

    @property
    def html(self):
        return self.message.get_body(("html",)).get_content()


@dataclass
class Gate:
    """Holds the server's answer to a message until released: a sender is then caught in the middle of a batch."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Inbox:
    messages: list = field(default_factory=list)
    gate: Gate | None = None
    refused: set = field(default_factory=set)  # addresses answered « 550 no such mailbox »

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.gate is not None:
            self.gate.arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.gate.release.wait, 60)
        self.messages.append(
            Received(list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"

    def to(self, address):
        return [received for received in self.messages if received.envelope_to == [address]]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """aiosmtpd on 127.0.0.1, stopped and started again on the same port to simulate an outage."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(autouse=True)
def _reachable_until_proven_otherwise():
    """The pause after an unreachable server is per process: no test inherits another's."""
    outbox._unreachable_since = None
    yield
    outbox._unreachable_since = None


@pytest.fixture
def smtp(settings):
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://fiches.example.org"
    settings.DEFAULT_FROM_EMAIL = "Fiches action <ne-pas-repondre@example.org>"
    yield server
    server.stop()


def make_world():
    dep = {code: Departement.objects.get(code=code) for code in ("49", "44", "75")}
    structures = SimpleNamespace(
        angers=StructureFactory(nom="Centre social Les Tilleuls", departement=dep["49"], email="tilleuls@example.org"),
        nantes=StructureFactory(nom="Centre social de Nantes", departement=dep["44"]),
        paris=StructureFactory(nom="Centre social de Paris", departement=dep["75"]),
    )
    users = SimpleNamespace(
        centre=centre_user(structures.angers, username="centre", first_name="Camille", last_name="Martin"),
        colleague=centre_user(structures.angers, username="collegue"),
        nantes=centre_user(structures.nantes, username="nantais"),
        fed49=federation_user(departements=["49"], username="fede49", first_name="Dominique", last_name="Leroy"),
        fed_region=federation_user(regions=["52"], username="federegion"),
        fed_national=federation_user(national=True, username="fedenationale"),
    )
    return SimpleNamespace(structures=structures, users=users, dep=dep)


@pytest.fixture
def world(db):
    return make_world()


def fiche(structure, state=Action.State.SOUMISE, **kwargs):
    return ActionFactory(structure=structure, state=state, **kwargs)
