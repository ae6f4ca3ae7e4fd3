"""schemathesis fuzzes every operation of the OpenAPI document through the WSGI app.

A fixed number of examples per operation, derandomized (the same requests on
every run): no server error, and every response (status, content type, body)
as the document says.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.keys import api_key_create
from api.models import KeyScope
from clinicpro.testing.factories import ServiceFactory

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI handler must not close the connection holding the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(keep_test_connection, clinic, make_booking, practitioner, paid_service, slot_start, settings):
    """A write key of a clinic with a booking confirmed at once and one waiting for payment with its invoice.

    The clinic has no M-Pesa settings, so a prompt the fuzzer starts is refused before any call leaves.
    """
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    make_booking(slot_start, on=ServiceFactory(clinic=clinic, name="Free consultation", practitioners=[practitioner]))
    make_booking(slot_start + timedelta(hours=2), on=paid_service)
    return api_key_create(clinic=clinic, name="Fuzzer", scope=KeyScope.WRITE).plaintext


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_document(case, fuzz_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_key}"}, checks=CHECKS)
