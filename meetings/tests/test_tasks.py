"""The meeting tasks: backoff with full jitter, and tasks that can run twice without harm."""

import random

import pytest

from bookings.models import Booking
from meetings.models import EventAction, Meeting, MeetingEvent, MeetingStatus
from meetings.services import (
    backoff_seconds,
    current_meeting,
    meeting_ensure_for_booking,
    meeting_update_for_reschedule,
)
from meetings.tasks import cancel_meeting, create_meeting, run_due_meetings, sweep_missing_meetings, update_meeting
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(service, practitioner):
    # Booked without running on-commit callbacks: no signal reaches meetings, the test calls the tasks itself.
    return book_online(service, practitioner)


def test_backoff_waits_a_random_time_below_an_exponential_ceiling(settings):
    settings.MEETINGS_RETRY_BASE_SECONDS = 5
    settings.MEETINGS_RETRY_CAP_SECONDS = 600
    random.seed(4)

    for retries, ceiling in [(0, 5), (1, 10), (2, 20), (3, 40), (6, 320), (7, 600), (30, 600)]:
        waits = [backoff_seconds(retries) for _ in range(300)]
        assert all(0 <= wait <= ceiling for wait in waits)
        # Full jitter spreads the retries over the whole window instead of bunching them at its end.
        assert min(waits) < ceiling * 0.1
        assert max(waits) > ceiling * 0.9


def test_backoff_never_comes_back_sooner_than_the_vendor_asked(settings):
    settings.MEETINGS_RETRY_BASE_SECONDS = 5
    random.seed(7)

    assert all(backoff_seconds(0, retry_after=120) >= 120 for _ in range(100))
    assert all(backoff_seconds(9, retry_after=1) <= settings.MEETINGS_RETRY_CAP_SECONDS for _ in range(100))


def test_a_redelivered_creation_task_makes_no_second_meeting(booking):
    create_meeting.delay(booking.pk)
    create_meeting.delay(booking.pk)
    create_meeting.apply(args=[booking.pk])

    assert Meeting.objects.filter(booking=booking).count() == 1
    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE
    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.CREATE).count() == 1


def test_a_creation_task_for_a_booking_that_needs_no_meeting_does_nothing(booking):
    Booking.objects.filter(pk=booking.pk).update(is_online=False)

    create_meeting.delay(booking.pk)
    create_meeting.delay(987654)

    assert not Meeting.objects.filter(status=MeetingStatus.ACTIVE).exists()
    assert not MeetingEvent.objects.filter(action=EventAction.CREATE).exists()


def test_an_update_for_a_meeting_still_being_created_leaves_it_to_its_creator(booking):
    meeting = meeting_ensure_for_booking(booking_id=booking.pk)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CREATING)

    meeting_update_for_reschedule(booking_id=booking.pk)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CREATING
    assert not MeetingEvent.objects.filter(booking=booking, action=EventAction.UPDATE).exists()


def test_an_update_task_for_a_meeting_never_created_creates_it(booking):
    update_meeting.delay(booking.pk)

    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE


def test_a_cancellation_task_for_a_booking_still_on_does_nothing(booking):
    create_meeting.delay(booking.pk)

    cancel_meeting.delay(booking.pk)

    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE


def test_the_sweep_task_reports_what_it_made_due_and_the_due_pass_does_it(booking):
    Meeting.objects.filter(booking=booking).delete()  # confirmed before meetings wrote its row
    report = sweep_missing_meetings()

    assert report["created"] == 1
    assert current_meeting(booking.pk).next_attempt_at is not None
    assert run_due_meetings() == 1
    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE
    assert current_meeting(booking.pk).next_attempt_at is None
    assert sweep_missing_meetings()["created"] == 0
