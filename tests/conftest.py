import uuid

import pytest

from tests.databases import server_sql


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
