"""Tenant isolation for every operation of the OpenAPI document (iterated from the schema, not listed).

Every path id is filled with another clinic's object: our key must get 404 (and
change nothing), while that clinic's own key reaches the same object. Lists and
operations without ids must never show another clinic's rows.
"""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from api.api import api as ninja_api
from api.conftest import ApiClient, next_weekday_at
from api.keys import api_key_create
from api.models import KeyScope
from bookings import services
from bookings.models import Booking, ConfirmationPolicy
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, ServiceFactory, UserFactory
from payments.models import Invoice, StkAttempt

PREFIX = "/api/v1"
FOREIGN_MARK = "Foreign-Zawadi"


def operations() -> list[tuple[str, str]]:
    document = ninja_api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def request_schema(method: str, path: str) -> str | None:
    operation = ninja_api.get_openapi_schema()["paths"][path][method.lower()]
    body = operation.get("requestBody")
    return body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1] if body else None


def test_the_schema_has_operations_to_check():
    found = operations()

    assert len(found) >= 17
    assert {
        ("GET", f"{PREFIX}/invoices"),
        ("GET", f"{PREFIX}/invoices/{{invoice_id}}"),
        ("GET", f"{PREFIX}/bookings/{{booking_id}}/invoice"),
        ("POST", f"{PREFIX}/invoices/{{invoice_id}}/stk-push"),
    } <= set(found)


@pytest.fixture
def foreign(other_clinic, stranger):
    """Another clinic with a practitioner, a paid online service, a booking paid at the desk (so confirmed,
    with a meeting and a paid invoice), and its own key."""
    membership = MembershipFactory(clinic=other_clinic, role=Role.PRACTITIONER, user=UserFactory(username="foreign"))
    practitioner = PractitionerFactory(membership=membership, display_name=f"Dr. {FOREIGN_MARK}")
    service = ServiceFactory(
        clinic=other_clinic,
        name=f"{FOREIGN_MARK} therapy",
        practitioners=[practitioner],
        price=1500,
        confirmation_policy=ConfirmationPolicy.PAYMENT,
    )
    booking = services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=next_weekday_at(11, other_clinic.zone),
        patient_name=FOREIGN_MARK,
        patient_email="zawadi@example.com",
        patient_phone="0733000000",
        enforce_availability=False,
    )
    booking = services.booking_mark_paid(booking=booking)
    key = api_key_create(clinic=other_clinic, name="Theirs", scope=KeyScope.WRITE)
    invoice = Invoice.objects.get(booking=booking)
    return {"booking": booking, "service": service, "practitioner": practitioner, "invoice": invoice, "key": key}


def bodies(foreign, starts_at) -> dict[str, dict]:
    """A valid body for each request schema, naming the other clinic's objects where it names any."""
    return {
        "ReasonIn": {"reason": "isolation"},
        "StkPushIn": {"phone": "0700 000 000"},
        "RescheduleIn": {"starts_at": (starts_at + timedelta(hours=1)).isoformat(), "outside_published_slots": True},
        "BookingIn": {
            "service_id": foreign["service"].pk,
            "practitioner_id": foreign["practitioner"].pk,
            "starts_at": (starts_at + timedelta(hours=3)).isoformat(),
            "patient": {"name": "Intruder", "email": "intruder@example.com", "phone": "0744000000"},
            "outside_published_slots": True,
        },
    }


def call(client: ApiClient, method: str, path: str, foreign, body: dict | None):
    filled = re.sub(r"\{(\w+)_id\}", lambda m: str(foreign[m.group(1)].pk), path)
    if method == "GET":
        day = foreign["booking"].starts_at.date().isoformat()
        return client.get(filled, start=day, end=day)
    return client.post(filled, body, idempotency_key=f"iso-{method}-{path}")


def snapshot() -> list:
    bookings = Booking.objects.order_by("pk").values_list("pk", "status", "starts_at", "sequence")
    invoices = Invoice.objects.order_by("pk").values_list("pk", "status", "amount_paid")
    return [*bookings, *invoices, StkAttempt.objects.count()]


@pytest.mark.parametrize(("method", "path"), operations())
def test_another_clinics_objects_are_404_or_invisible(method, path, foreign, api, service, slot_start):
    schema = request_schema(method, path)
    body = bodies(foreign, foreign["booking"].starts_at).get(schema) if schema else None
    assert schema is None or body is not None, f"No isolation body for {schema}: add one"
    before = snapshot()

    response = call(api, method, path, foreign, body)

    # Invoices name no patient: their reference marks them as the other clinic's.
    for mark in (FOREIGN_MARK, foreign["invoice"].reference):
        assert mark not in response.content.decode()
    if "{" in path or method == "POST":
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
        assert snapshot() == before
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("method", "path"), [op for op in operations() if op[0] == "GET" and "{" in op[1]])
def test_the_owning_clinic_reaches_the_same_objects(method, path, foreign):
    response = call(ApiClient(foreign["key"].plaintext), method, path, foreign, None)

    assert response.status_code == 200, response.content
    assert response.json()


def test_a_member_session_is_isolated_too(foreign, owner, clinic):
    client = Client()
    client.force_login(owner)

    response = client.get(f"{PREFIX}/bookings/{foreign['booking'].pk}")
    listing = client.get(f"{PREFIX}/bookings")

    assert response.status_code == 404
    assert FOREIGN_MARK not in json.dumps(listing.json())
