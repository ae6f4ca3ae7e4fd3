"""Durable meeting work: rows written with the booking, a due pass that runs them, a sweeper for the rest."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services as bookings
from bookings.models import LONGEST_SERVICE_MINUTES
from bookings.signals import booking_changing, booking_confirmed, booking_rescheduled
from meetings import receivers
from meetings.models import EventAction, Meeting, MeetingEvent, MeetingStatus
from meetings.selectors import bookings_missing_links, fallback_meetings_needing_attention
from meetings.services import current_meeting
from meetings.sweeper import meetings_sweep
from meetings.tasks import run_due_meetings, sweep_missing_meetings
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
    """The after-commit receivers are gone, as if the broker lost every task they queued."""
    booking_confirmed.disconnect(dispatch_uid="meetings.create")
    booking_rescheduled.disconnect(dispatch_uid="meetings.update")
    yield
    receivers.connect()


@pytest.fixture
def rowless(lost_tasks):
    """Bookings confirmed with no meeting row at all (confirmed before meetings recorded its intent)."""
    booking_changing.disconnect(dispatch_uid="meetings.intent")
    yield
    receivers.connect()


def run_due() -> int:
    return run_due_meetings()


def test_a_lost_task_loses_nothing_the_due_pass_creates_the_meeting(run_on_commit, lost_tasks, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    pending = current_meeting(booking.pk)
    assert pending.status == MeetingStatus.PENDING
    assert pending.next_attempt_at <= timezone.now()

    assert run_due() == 1

    meeting = current_meeting(booking.pk)
    assert meeting.status == MeetingStatus.ACTIVE
    assert meeting.join_url
    assert meeting.next_attempt_at is None
    assert run_due() == 0


def test_the_booking_and_its_meeting_row_commit_or_roll_back_together(lost_tasks, service, practitioner):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        book_online(service, practitioner)
        raise RuntimeError("the booking's transaction fails after confirming")

    assert not Meeting.objects.exists()


def test_it_repairs_a_confirmed_booking_without_a_meeting_row(run_on_commit, rowless, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    assert not Meeting.objects.filter(booking=booking).exists()

    assert sweep_missing_meetings()["created"] == 1
    run_due()

    meeting = current_meeting(booking.pk)
    assert meeting.status == MeetingStatus.ACTIVE
    assert meeting.join_url


def test_it_looks_only_48_hours_ahead(run_on_commit, rowless, service, practitioner):
    later = run_on_commit(book_online, service, practitioner, hours_ahead=60)

    sweep_missing_meetings.delay()

    assert not Meeting.objects.filter(booking=later).exists()


def test_it_leaves_cancelled_and_in_person_bookings_alone(run_on_commit, rowless, service, practitioner):
    cancelled = run_on_commit(book_online, service, practitioner, hours_ahead=5)
    run_on_commit(bookings.booking_cancel, booking=cancelled)
    service.is_online = False
    service.save()
    in_person = run_on_commit(book_online, service, practitioner, hours_ahead=8)

    assert meetings_sweep().to_create == []
    assert not Meeting.objects.filter(booking__in=[cancelled, in_person]).exists()


def test_a_worker_that_died_loses_only_its_lease(lost_tasks, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    ran_out = timezone.now() - timedelta(seconds=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CREATING,
        attempts=1,
        claimed_at=ran_out - timedelta(seconds=20),
        lease_expires_at=ran_out,
        next_attempt_at=ran_out,
    )

    assert run_due() == 1

    meeting.refresh_from_db()
    assert (meeting.status, meeting.attempts, meeting.lease_expires_at) == (MeetingStatus.ACTIVE, 2, None)
    # A second attempt looks for what the dead worker may have made before creating anything.
    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.FIND).count() == 1


def test_a_live_lease_is_left_to_its_worker(lost_tasks, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CREATING, claimed_at=now, lease_expires_at=now + timedelta(seconds=20), next_attempt_at=now
    )

    assert run_due() == 0
    assert meetings_sweep().to_create == []
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CREATING


def test_it_waits_out_a_pending_retry_unless_the_booking_is_about_to_start(
    lost_tasks, run_on_commit, service, practitioner
):
    tomorrow = run_on_commit(book_online, service, practitioner, hours_ahead=24)
    soon = run_on_commit(book_online, service, practitioner, hours_ahead=0.5)
    later = timezone.now() + timedelta(minutes=5)
    Meeting.objects.update(next_attempt_at=later)

    assert meetings_sweep().to_create == [soon.pk]
    assert current_meeting(tomorrow.pk).next_attempt_at == later
    assert current_meeting(soon.pk).next_attempt_at <= timezone.now()


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


def test_a_booking_of_the_longest_length_is_missing_its_link_from_when_it_is_soon_to_its_last_minute(
    lost_tasks, run_on_commit, clinic, service, practitioner, settings
):
    service.duration_minutes = LONGEST_SERVICE_MINUTES
    service.save()
    booking = run_on_commit(book_online, service, practitioner, hours_ahead=2)
    soon = booking.starts_at - timedelta(minutes=settings.MEETINGS_URGENT_MINUTES)

    assert list(bookings_missing_links(clinic, now=soon - timedelta(minutes=1))) == []
    assert list(bookings_missing_links(clinic, now=soon)) == [booking]
    assert list(bookings_missing_links(clinic, now=booking.ends_at - timedelta(minutes=1))) == [booking]
    assert list(bookings_missing_links(clinic, now=booking.ends_at)) == []


def test_a_booking_with_a_working_link_is_not_missing_one(run_on_commit, clinic, service, practitioner):
    run_on_commit(book_online, service, practitioner, hours_ahead=0.5)

    assert list(bookings_missing_links(clinic)) == []
    assert meetings_sweep().urgent == []


def test_a_reschedule_whose_task_was_lost_is_moved_by_the_due_pass(lost_tasks, run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    run_due()
    moved = run_on_commit(
        bookings.booking_reschedule,
        booking=booking,
        starts_at=booking.starts_at + timedelta(hours=6),
        enforce_availability=False,
    )
    assert current_meeting(booking.pk).scheduled_starts_at != moved.starts_at

    run_due()

    assert current_meeting(booking.pk).scheduled_starts_at == moved.starts_at


def test_it_finds_a_meeting_told_another_time_than_its_booking(run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_starts_at=booking.starts_at - timedelta(hours=1))

    assert meetings_sweep().to_update == [booking.pk]
    run_due()

    assert current_meeting(booking.pk).scheduled_starts_at == booking.starts_at


def test_it_deletes_meetings_left_at_a_provider(run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    run_on_commit(bookings.booking_cancel, booking=booking)
    Meeting.objects.filter(pk=meeting.pk).update(provider_deleted_at=None, next_attempt_at=None)

    assert sweep_missing_meetings()["retired"] == 1
    run_due()

    meeting.refresh_from_db()
    assert meeting.provider_deleted_at is not None
    assert meeting.next_attempt_at is None


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


def test_a_deletion_that_failed_waits_out_its_backoff(run_on_commit, service, practitioner):
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)
    run_on_commit(bookings.booking_cancel, booking=booking)
    Meeting.objects.filter(pk=meeting.pk).update(
        provider_deleted_at=None, step_failures=1, next_attempt_at=timezone.now() + timedelta(minutes=2)
    )

    assert meetings_sweep().to_retire == []
    assert run_due() == 0
