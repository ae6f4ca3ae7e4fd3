"""No vendor is called while a database transaction is open: bookings read calendars before theirs.

The outbound session itself refuses a call made inside a transaction in the tests
(HTTP_REFUSE_IN_TRANSACTION), so each case here fails if a call slips back inside.
"""

from datetime import datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bookings.errors import SlotUnavailable
from bookings.services import booking_create, booking_reschedule
from clinicpro.http import NetworkCallInTransaction, http_session
from integrations.models import Connection
from sandbox import world

from .conftest import EMAILS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def busy_at_ten(practitioner):
    """An hour of busy time on the practitioner's Google calendar, 10:00-11:00 their time, in two days."""
    day = (timezone.now().astimezone(practitioner.zone) + timedelta(days=2)).date()
    start = datetime.combine(day, time(10), tzinfo=practitioner.zone)
    world.add_busy_block(EMAILS["google"], start, start + timedelta(hours=1), label="Theatre list")
    return start


def _book(service, practitioner, starts_at):
    return booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
    )


def test_the_outbound_session_refuses_a_call_inside_a_transaction(sandbox):
    url = sandbox.url + "/healthz"

    with pytest.raises(NetworkCallInTransaction), transaction.atomic():
        http_session().get(url)

    assert http_session().get(url).status_code in (200, 503)


def test_booking_a_busy_time_is_refused_with_the_calendar_read_before_the_transaction(
    connected, practitioner, service, busy_at_ten
):
    connection = connected("google")

    with pytest.raises(SlotUnavailable):
        _book(service, practitioner, busy_at_ten)

    assert Connection.objects.get(pk=connection.pk).calendar_error_at is None  # read, not refused
    assert _book(service, practitioner, busy_at_ten + timedelta(hours=1)).pk is not None


def test_rescheduling_onto_a_busy_time_is_refused_with_the_calendar_read_before_the_transaction(
    connected, practitioner, service, busy_at_ten
):
    connection = connected("google")
    booking = _book(service, practitioner, busy_at_ten + timedelta(hours=2))

    with pytest.raises(SlotUnavailable):
        booking_reschedule(booking=booking, starts_at=busy_at_ten)

    assert Connection.objects.get(pk=connection.pk).calendar_error_at is None
    moved = booking_reschedule(booking=booking, starts_at=busy_at_ten - timedelta(hours=1))
    assert moved.starts_at == busy_at_ten - timedelta(hours=1)


def test_a_token_refresh_holds_no_transaction_while_it_calls_google(connected, practitioner, service, busy_at_ten):
    connection = connected("google")
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())

    with pytest.raises(SlotUnavailable):
        _book(service, practitioner, busy_at_ten)

    refreshed = Connection.objects.get(pk=connection.pk)
    assert refreshed.access_token != connection.access_token and refreshed.calendar_error_at is None
