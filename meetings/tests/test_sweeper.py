"""The sweeper repairs what the event-driven path missed, and makes a booking without a link loud."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services as bookings
from bookings.signals import booking_confirmed, booking_rescheduled
from meetings import receivers
from meetings.models import EventAction, EventOutcome, Meeting, MeetingEvent, MeetingStatus
from meetings.selectors import bookings_missing_links, fallback_meetings_needing_attention
from meetings.services import current_meeting, meeting_ensure_for_booking
from meetings.sweeper import STALE_CLAIM_MESSAGE, meetings_sweep
from meetings.tasks import sweep_missing_meetings
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def lost_tasks():
    """The receivers are gone, as if the broker lost every task they queued."""
    booking_confirmed.disconnect(dispatch_uid="meetings.create")
    booking_rescheduled.disconnect(dispatch_uid="meetings.update")
    yield
    receivers.connect()


def test_it_repairs_a_booking_whose_creation_task_was_lost(run_on_commit, lost_tasks, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    assert not Meeting.objects.filter(booking=booking).exists()

    sweep_missing_meetings.delay()

    meeting = current_meeting(booking.pk)
    assert meeting.status == MeetingStatus.ACTIVE
    assert meeting.join_url


def test_it_looks_only_48_hours_ahead(run_on_commit, lost_tasks, service, practitioner):
    later = run_on_commit(book_online, service, practitioner, hours_ahead=60)

    sweep_missing_meetings.delay()

    assert not Meeting.objects.filter(booking=later).exists()


def test_it_leaves_cancelled_and_in_person_bookings_alone(run_on_commit, lost_tasks, service, practitioner):
    cancelled = run_on_commit(book_online, service, practitioner, hours_ahead=5)
    run_on_commit(bookings.booking_cancel, booking=cancelled)
    service.is_online = False
    service.save()
    in_person = run_on_commit(book_online, service, practitioner, hours_ahead=8)

    assert meetings_sweep().to_create == []
    assert not Meeting.objects.filter(booking__in=[cancelled, in_person]).exists()


def test_it_releases_a_claim_whose_worker_died_and_creates_the_meeting(
    settings, lost_tasks, run_on_commit, service, practitioner
):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = meeting_ensure_for_booking(booking_id=booking.pk)
    long_ago = timezone.now() - timedelta(seconds=settings.MEETINGS_CLAIM_TIMEOUT_SECONDS + 5)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CREATING, attempts=1, claimed_at=long_ago)

    sweep_missing_meetings.delay()

    meeting.refresh_from_db()
    assert (meeting.status, meeting.attempts) == (MeetingStatus.ACTIVE, 2)
    released = MeetingEvent.objects.get(booking=booking, action=EventAction.STATUS, outcome=EventOutcome.RETRY)
    assert released.error == STALE_CLAIM_MESSAGE
    # A second attempt looks for what the dead worker may have made before creating anything.
    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.FIND).count() == 1


def test_it_leaves_a_fresh_claim_to_its_worker(lost_tasks, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = meeting_ensure_for_booking(booking_id=booking.pk)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CREATING, claimed_at=timezone.now())

    report = meetings_sweep()

    assert report.released_claims == 0
    assert report.to_create == []
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CREATING


def test_it_waits_out_a_pending_retry_unless_the_booking_is_about_to_start(
    lost_tasks, run_on_commit, service, practitioner
):
    tomorrow = run_on_commit(book_online, service, practitioner, hours_ahead=24)
    soon = run_on_commit(book_online, service, practitioner, hours_ahead=0.5)
    meeting_ensure_for_booking(booking_id=tomorrow.pk)
    meeting_ensure_for_booking(booking_id=soon.pk)

    assert meetings_sweep().to_create == [soon.pk]


def test_a_booking_about_to_start_without_a_link_is_logged_loudly_and_listed(
    caplog, lost_tasks, run_on_commit, clinic, other_clinic, service, practitioner
):
    soon = run_on_commit(book_online, service, practitioner, hours_ahead=0.5)

    with caplog.at_level(logging.ERROR, logger="meetings.sweeper"):
        report = meetings_sweep()

    assert report.urgent == [soon.pk]
    assert any(str(soon.pk) in record.getMessage() and record.levelno == logging.ERROR for record in caplog.records)
    assert list(bookings_missing_links(clinic)) == [soon]
    assert list(bookings_missing_links(other_clinic)) == []


def test_a_booking_with_a_working_link_is_not_missing_one(run_on_commit, clinic, service, practitioner):
    run_on_commit(book_online, service, practitioner, hours_ahead=0.5)

    assert list(bookings_missing_links(clinic)) == []
    assert meetings_sweep().urgent == []


def test_it_tells_the_provider_about_a_reschedule_it_never_heard_of(lost_tasks, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    sweep_missing_meetings.delay()
    moved = run_on_commit(
        bookings.booking_reschedule,
        booking=booking,
        starts_at=booking.starts_at + timedelta(hours=6),
        enforce_availability=False,
    )
    assert current_meeting(booking.pk).scheduled_starts_at != moved.starts_at

    sweep_missing_meetings.delay()

    assert current_meeting(booking.pk).scheduled_starts_at == moved.starts_at


def test_it_deletes_meetings_left_at_a_provider(settings, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    run_on_commit(bookings.booking_cancel, booking=booking)
    Meeting.objects.filter(pk=meeting.pk).update(provider_deleted_at=None)
    settings.MEETINGS_CLAIM_TIMEOUT_SECONDS = 0

    assert sweep_missing_meetings.delay().get()["retired"] == 1

    meeting.refresh_from_db()
    assert meeting.provider_deleted_at is not None


def test_fallback_meetings_are_listed_for_the_clinic_with_their_reason(
    run_on_commit, clinic, other_clinic, service, practitioner
):
    service.meeting_platform = "microsoft"
    service.save()
    booking = run_on_commit(book_online, service, practitioner)

    [fallback] = fallback_meetings_needing_attention(clinic)
    assert fallback.booking == booking
    assert fallback.fallback_reason
    assert list(fallback_meetings_needing_attention(other_clinic)) == []


def test_a_deletion_that_failed_lately_waits_before_the_next_try(settings, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    run_on_commit(bookings.booking_cancel, booking=booking)
    Meeting.objects.filter(pk=meeting.pk).update(provider_deleted_at=None)
    MeetingEvent.objects.create(
        booking=booking, meeting=meeting, action=EventAction.DELETE, outcome=EventOutcome.ERROR, error="Refused"
    )
    settings.MEETINGS_CLAIM_TIMEOUT_SECONDS = 0

    assert meetings_sweep().to_retire == []
