"""The OpenAPI schema is valid, and the running app keeps to it: schemathesis sends generated requests (valid
and invalid) to every operation through the real WSGI application and checks each answer."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from actions.filters import ActionFilterSet
from api.schema import openapi_schema
from api.urls import urlpatterns
from tests.api.catalogue import build_catalogue

CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_schema_is_valid_openapi_and_served(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served == openapi_schema()
    schemathesis.openapi.from_dict(served).validate()  # against the OpenAPI 3.1 meta-schema


def test_schema_describes_every_route():
    described = set(openapi_schema()["paths"])
    routes = {
        "/api/" + str(pattern.pattern).replace("<slug:", "{").replace("<str:", "{").replace(">", "}")
        for pattern in urlpatterns
        if not str(pattern.pattern).startswith("^")
    }
    assert routes == described


def test_every_filter_of_the_list_is_a_documented_parameter():
    parameters = openapi_schema()["paths"]["/api/actions/"]["get"]["parameters"]
    assert [parameter["name"] for parameter in parameters] == [*ActionFilterSet.base_filters, "page", "page_size"]


@pytest.fixture
def published_catalogue(db, settings):
    """The test's data, seen by the WSGI application as Django's test client sees it: the application must not
    close the database connection after each request (on PostgreSQL that would end the test's transaction)."""
    settings.RATELIMIT_ENABLED = False  # hundreds of requests from one address, on purpose
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield build_catalogue()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded from the dict (equal to the served one, see above) rather than through schemathesis' fixture loader,
# whose pytest integration does not support pytest 9; the requests still go through the whole WSGI application.
schema = schemathesis.openapi.from_dict(openapi_schema())
schema.app = get_wsgi_application()


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_api_keeps_to_its_schema(case, published_catalogue):
    case.call_and_validate(checks=CHECKS)
