"""Booking signals reach the meeting tasks: once per change, and only for online bookings."""

from datetime import timedelta

import pytest

from bookings import services as bookings
from bookings.models import Booking
from bookings.signals import booking_confirmed
from meetings import receivers
from meetings.models import EventAction, Meeting, MeetingEvent, MeetingStatus
from meetings.services import current_meeting
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def manual_service(service):
    service.confirmation_policy = "manual"
    service.save()
    return service


def test_a_duplicated_confirmation_signal_gives_one_meeting(run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)

    run_on_commit(booking_confirmed.send, sender=Booking, booking=booking)
    run_on_commit(booking_confirmed.send, sender=Booking, booking=booking)

    assert Meeting.objects.filter(booking=booking).count() == 1
    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.CREATE).count() == 1


def test_the_meeting_row_is_written_with_the_booking_and_the_task_waits_for_the_commit(
    django_capture_on_commit_callbacks, service, practitioner
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking = book_online(service, practitioner)

    [pending] = Meeting.objects.filter(booking=booking)
    assert pending.status == MeetingStatus.PENDING
    assert pending.next_attempt_at is not None
    assert not MeetingEvent.objects.filter(booking=booking, action=EventAction.CREATE).exists()
    assert callbacks  # the signal waits for the commit, and with it the task


def test_a_booking_awaiting_approval_or_declined_gets_no_meeting(run_on_commit, manual_service, practitioner):
    waiting = run_on_commit(book_online, manual_service, practitioner, hours_ahead=20)
    declined = run_on_commit(book_online, manual_service, practitioner, hours_ahead=30)
    run_on_commit(bookings.booking_decline, booking=declined, reason="Not available")
    run_on_commit(
        bookings.booking_reschedule,
        booking=waiting,
        starts_at=waiting.starts_at + timedelta(hours=2),
        enforce_availability=False,
    )

    assert not Meeting.objects.exists()


def test_an_in_person_booking_never_reaches_the_meeting_tasks(run_on_commit, service, practitioner):
    service.is_online = False
    service.save()
    booking = run_on_commit(book_online, service, practitioner)

    run_on_commit(
        bookings.booking_reschedule,
        booking=booking,
        starts_at=booking.starts_at + timedelta(hours=1),
        enforce_availability=False,
    )
    run_on_commit(bookings.booking_cancel, booking=booking)

    assert not Meeting.objects.exists()
    assert not MeetingEvent.objects.exists()


def test_confirm_reschedule_and_cancel_follow_the_booking(run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE

    moved = run_on_commit(
        bookings.booking_reschedule,
        booking=booking,
        starts_at=booking.starts_at + timedelta(hours=4),
        enforce_availability=False,
    )
    assert current_meeting(booking.pk).scheduled_starts_at == moved.starts_at

    run_on_commit(bookings.booking_cancel, booking=booking)
    assert current_meeting(booking.pk).status == MeetingStatus.CANCELLED
    assert Meeting.objects.filter(booking=booking).count() == 1


def test_connecting_the_receivers_again_does_not_double_them(run_on_commit, service, practitioner):
    receivers.connect()
    receivers.connect()

    booking = run_on_commit(book_online, service, practitioner)

    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.CLAIM).count() == 1
