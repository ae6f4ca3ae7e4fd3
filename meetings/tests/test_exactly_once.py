"""Exactly once: however signals, tasks, workers and Zoom's failures interleave, a booking has one meeting.

Zoom is the provider here because it is the hard case: it has no idempotency
key, so a lost answer must be found again rather than created twice. It runs
over real HTTP against its emulator; tasks run in-process.
"""

import itertools
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from bookings.signals import booking_confirmed
from clinicpro.testing.race import race
from meetings.models import JoinLink, Meeting, MeetingStatus
from meetings.services import current_meeting, meeting_ensure_for_booking, meeting_regenerate
from meetings.tasks import cancel_meeting, create_meeting, sweep_missing_meetings, update_meeting
from meetings.testing.scenes import book_online, settle_due_work
from sandbox import faults
from sandbox.models import Account, ZoomMeeting

from .connected_providers import connect_account, use_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zoom_service(settings, live_server, service, practitioner):
    use_sandbox(settings, live_server)
    settings.ZOOM_DAILY_MEETING_LIMIT = 100_000
    connect_account(practitioner, "zoom", "dr.wanjiru@zoom.test")
    Account.objects.filter(service="zoom").update(daily_meeting_limit=100_000)
    service.meeting_platform = "zoom"
    service.confirmation_policy = "manual"
    service.save()
    return service


def live_zoom_meetings() -> int:
    return ZoomMeeting.objects.filter(deleted_at__isnull=True).count()


def test_racing_workers_create_one_zoom_meeting(zoom_service, practitioner):
    # Approved with the receivers' task already run once; the race is between redeliveries of it.
    booking = book_online(zoom_service, practitioner)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)

    race(6, lambda: create_meeting.apply(args=[booking.pk]))

    assert Meeting.objects.filter(booking=booking).count() == 1
    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE
    assert live_zoom_meetings() == 1


def test_racing_requests_make_one_meeting_row(service, practitioner):
    booking = book_online(service, practitioner)
    Meeting.objects.all().delete()

    race(8, lambda: meeting_ensure_for_booking(booking_id=booking.pk))

    assert Meeting.objects.filter(booking=booking).count() == 1


# --- Random interleavings --------------------------------------------------------------------------

OPERATIONS = (
    "confirm",
    "duplicate_confirmation_signal",
    "reschedule",
    "cancel",
    "redeliver_create",
    "redeliver_update",
    "redeliver_cancel",
    "zoom_fails_twice",
    "zoom_fails_for_good",
    "zoom_loses_an_answer",
    "worker_dies_holding_a_claim",
    "sweep",
    "regenerate",
)


@st.composite
def histories(draw) -> list[str]:
    operations = draw(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=8))
    # Most histories should confirm at some point, or there is little to check.
    if draw(st.integers(0, 4)):
        operations.insert(draw(st.integers(0, len(operations))), "confirm")
    return operations


class History:
    """One booking's life, played through the real services, signals and tasks."""

    def __init__(self, booking: Booking, slots: list) -> None:
        self.booking = booking
        self.slots = slots

    def refreshed(self) -> Booking:
        self.booking.refresh_from_db()
        return self.booking

    def play(self, operation: str) -> None:
        booking = self.refreshed()
        changeable = booking.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)
        if operation == "confirm" and booking.status == BookingStatus.PENDING:
            bookings.booking_approve(booking=booking)
        elif operation == "duplicate_confirmation_signal" and booking.status == BookingStatus.CONFIRMED:
            booking_confirmed.send(sender=Booking, booking=booking)
        elif operation == "reschedule" and changeable:
            next_slot = next(slot for slot in self.slots if slot != booking.starts_at)
            self.slots.remove(next_slot)
            self.slots.append(next_slot)
            bookings.booking_reschedule(booking=booking, starts_at=next_slot, enforce_availability=False)
        elif operation == "cancel" and changeable:
            bookings.booking_cancel(booking=booking)
        elif operation == "redeliver_create":
            create_meeting.delay(booking.pk)
        elif operation == "redeliver_update":
            update_meeting.delay(booking.pk)
        elif operation == "redeliver_cancel":
            cancel_meeting.delay(booking.pk)
        elif operation == "zoom_fails_twice":
            faults.inject("zoom", "meetings.create", "500", count=2)
        elif operation == "zoom_fails_for_good":
            faults.inject("zoom", "meetings.create", "500", count=None)
            faults.inject("zoom", "meetings.update", "500", count=None)
        elif operation == "zoom_loses_an_answer":
            faults.inject("zoom", "meetings.create", "lost_response")
        elif operation == "worker_dies_holding_a_claim":
            # The claim a worker makes before calling Zoom, and then nothing more: its lease runs out.
            now = timezone.now()
            Meeting.objects.filter(
                booking=booking, is_current=True, status__in=(MeetingStatus.PENDING, MeetingStatus.FAILED)
            ).update(
                status=MeetingStatus.CREATING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                lease_expires_at=now,
                next_attempt_at=now,
            )
        elif operation == "sweep":
            sweep_missing_meetings.delay()
        elif operation == "regenerate" and booking.status == BookingStatus.CONFIRMED and booking.is_online:
            meeting_regenerate(booking_id=booking.pk, actor="user:1", reason="Testing")

    def drain(self) -> None:
        """What the next passes do once every fault is gone: abandoned leases taken over, due work done."""
        faults.clear("zoom")
        sweep_missing_meetings.delay()
        settle_due_work()


_example = itertools.count()


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=histories())
def test_any_interleaving_leaves_at_most_one_meeting_and_exactly_one_link_when_confirmed(
    operations, settings, zoom_service, practitioner
):
    base_hours = 1 + next(_example) * 1.5
    booking = book_online(zoom_service, practitioner, hours_ahead=base_hours)
    slots = [booking.starts_at + timedelta(minutes=30 * step) for step in range(3)]
    history = History(booking, slots)
    zoom_before = live_zoom_meetings()

    for operation in operations:
        history.play(operation)
    history.drain()

    booking = history.refreshed()
    meetings = Meeting.objects.filter(booking=booking)
    active = meetings.filter(status=MeetingStatus.ACTIVE)
    assert meetings.filter(is_current=True).count() <= 1
    if booking.status == BookingStatus.CONFIRMED:
        [link] = active
        assert link.is_current
        assert (link.scheduled_starts_at, link.scheduled_ends_at) == (booking.starts_at, booking.ends_at)
        assert link.provider == "zoom" or link.is_fallback
    else:
        assert not active.exists()
    if booking.status == BookingStatus.CANCELLED:
        assert not JoinLink.objects.filter(booking=booking, revoked_at__isnull=True).exists()
    # Zoom holds exactly the meeting ClinicPro links to: none orphaned, none twice.
    assert live_zoom_meetings() - zoom_before == active.filter(provider="zoom").count()
