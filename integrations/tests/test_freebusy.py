"""Google free/busy feeds slot computation, and never blocks booking when it fails."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.availability import available_slots, search_slots
from integrations.models import Connection
from sandbox import faults, world

from .conftest import EMAILS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def day(practitioner):
    return (timezone.now().astimezone(practitioner.zone) + timedelta(days=2)).date()


@pytest.fixture
def busy_at_ten(day, practitioner):
    """An hour of busy time on the practitioner's Google calendar, 10:00-11:00 their time."""
    start = datetime.combine(day, time(10), tzinfo=practitioner.zone)
    world.add_busy_block(EMAILS["google"], start, start + timedelta(hours=1), label="Hospital round")
    return start


def _starts(service, practitioner, day) -> set[datetime]:
    return {slot.starts_at for slot in available_slots(service=service, practitioner=practitioner, start=day, end=day)}


def test_busy_times_on_google_calendar_are_not_offered(connected, practitioner, service, day, busy_at_ten):
    connected("google")

    starts = _starts(service, practitioner, day)

    assert busy_at_ten not in starts
    assert busy_at_ten + timedelta(minutes=30) not in starts
    assert busy_at_ten - timedelta(minutes=30) in starts
    assert busy_at_ten + timedelta(hours=1) in starts


def test_without_a_google_connection_the_calendar_is_not_consulted(sandbox, practitioner, service, day, busy_at_ten):
    assert busy_at_ten in _starts(service, practitioner, day)


@pytest.mark.parametrize("mode", ["500", "timeout"])
def test_a_failing_free_busy_call_does_not_block_booking(
    mode, connected, practitioner, practitioner_client, service, day, busy_at_ten, settings
):
    connection = connected("google")
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    faults.inject("google", "freebusy", mode, **({"delay_seconds": 1.5} if mode == "timeout" else {}))

    search = search_slots(service=service, practitioner=practitioner, start=day, end=day)

    assert busy_at_ten in {slot.starts_at for slot in search.slots}  # nothing could be checked, nothing is hidden
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.calendar_error_at is not None and stored.status == "active"
    dashboard = practitioner_client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "Couldn't read your Google calendar at" in dashboard
    assert "bookings were not checked against it" in dashboard


def test_the_calendar_warning_goes_away_after_a_successful_read(
    connected, practitioner, practitioner_client, service, day
):
    connection = connected("google")
    faults.inject("google", "freebusy", "500")
    _starts(service, practitioner, day)
    assert Connection.objects.get(pk=connection.pk).calendar_error_at is not None

    _starts(service, practitioner, day)

    assert Connection.objects.get(pk=connection.pk).calendar_error_at is None
    dashboard = practitioner_client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "Couldn't read your Google calendar" not in dashboard


def test_free_busy_answers_are_cached_briefly(connected, practitioner, service, day, busy_at_ten):
    connected("google")
    _starts(service, practitioner, day)
    faults.inject("google", "freebusy", "500")

    starts = _starts(service, practitioner, day)

    assert busy_at_ten not in starts
    assert faults.active_faults()[0].hits == 0  # answered from the cache, Google was not asked


def test_free_busy_refreshes_a_token_google_no_longer_accepts(connected, practitioner, service, day, busy_at_ten):
    connection = connected("google")
    faults.expire_access_tokens("google")  # Google says expired while our clock says valid

    starts = _starts(service, practitioner, day)

    assert busy_at_ten not in starts
    assert Connection.objects.get(pk=connection.pk).access_token != connection.access_token


def test_a_calendar_needing_reconnect_does_not_block_booking(connected, practitioner, service, day, busy_at_ten):
    connection = connected("google")
    faults.revoke_grants("google")

    starts = _starts(service, practitioner, day)

    assert busy_at_ten in starts
    assert Connection.objects.get(pk=connection.pk).status == "needs_reconnect"


def test_free_busy_reads_google_errors_with_the_calendar_client_s_error_mapping(connected, practitioner, service, day):
    connection = connected("google")
    faults.inject("google", "freebusy", "403_user_rate_limit")

    _starts(service, practitioner, day)

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.calendar_error_at is not None
    assert stored.last_error.startswith("Reading busy times failed: Google rate limit: User Rate Limit Exceeded")
