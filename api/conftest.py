"""Fixtures of the API's tests: keys of the named clinics and a client that sends them."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.keys import api_key_create
from api.models import KeyAudience, KeyScope

# The payments app's fixtures (a clinic whose M-Pesa is the Daraja emulator, paid bookings, invoices).
from payments.conftest import book, daraja_url, invoice, mpesa, paid_service  # noqa: F401


class ApiClient:
    """Django's test client speaking JSON with a bearer key."""

    def __init__(self, key: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def get(self, path: str, **params):
        return self.client.get(path, params)

    def post(self, path: str, body=None, *, idempotency_key: str | None = "key-1", **headers):
        if idempotency_key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
        return self.client.post(path, body if body is not None else {}, content_type="application/json", **headers)


@pytest.fixture
def write_key(clinic, owner):
    return api_key_create(clinic=clinic, name="Front desk", scope=KeyScope.WRITE, created_by=owner)


@pytest.fixture
def read_key(clinic, owner):
    return api_key_create(clinic=clinic, name="Reports", scope=KeyScope.READ, created_by=owner)


@pytest.fixture
def patient_app_key(clinic, owner):
    return api_key_create(
        clinic=clinic, name="Patient app", scope=KeyScope.READ, audience=KeyAudience.PATIENT, created_by=owner
    )


@pytest.fixture
def other_key(other_clinic, stranger):
    return api_key_create(clinic=other_clinic, name="Theirs", scope=KeyScope.WRITE, created_by=stranger)


@pytest.fixture
def api(write_key):
    return ApiClient(write_key.plaintext)


def next_weekday_at(hour: int, zone) -> datetime:
    """Tomorrow (or later) at `hour` local time: inside the factories' 08:00-17:00 working hours."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=2)
    return datetime.combine(day, time(hour), tzinfo=zone)


@pytest.fixture
def slot_start(clinic):
    return next_weekday_at(10, clinic.zone)
