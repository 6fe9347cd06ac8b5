import pytest


@pytest.fixture(autouse=True)
def _no_network_assets(settings):
    """Every asset is served from static/: tests never depend on the network."""
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
