import uuid

import pytest

from tests.databases import server_sql


def is_transactional(item):
    """Whether pytest-django runs `item` on real commits, flushing the database after it (the data migrations' rows
    go with it): as pytest-django decides when it puts these tests last."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(items):
    """Mark the transactional tests: scripts/test.sh runs them apart from the others on parallel workers, since a
    worker does not keep pytest-django's order (the others first) and a flush would empty the next tests' data."""
    for item in items:
        if is_transactional(item):
            item.add_marker("transactional")


@pytest.fixture(autouse=True)
def _no_network_assets(settings):
    """Every asset is served from static/: tests never depend on the network."""
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the catalogue version is rolled back with the test's data, so an
    entry cached by an earlier test under the same version number would otherwise be read."""
    import catalogue

    catalogue.clear()


@pytest.fixture
def fresh_database():
    """The name of an empty database on the test server, dropped after the test."""
    name = f"fraiche_{uuid.uuid4().hex[:8]}"
    server_sql(f'CREATE DATABASE "{name}"')
    yield name
    server_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
