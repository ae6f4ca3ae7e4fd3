"""The whole path through real signals, Redis and a real Celery worker process.

The test process books through bookings' services; the receivers queue tasks
on Redis; a `celery worker` subprocess runs them against the same database
(and, for Zoom, against the emulator on the live test server). Tests wait by
polling the database.
"""

from datetime import timedelta

import pytest

from bookings import services as bookings
from bookings.models import Booking
from bookings.signals import booking_confirmed
from meetings import receivers
from meetings.models import EventAction, EventOutcome, Meeting, MeetingEvent, MeetingStatus
from meetings.services import current_meeting
from meetings.tasks import create_meeting
from meetings.testing.scenes import book_online, wait_for
from sandbox import faults
from sandbox.models import Account, ZoomMeeting

from .connected_providers import connect_account, use_sandbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MAX_ATTEMPTS = 3


@pytest.fixture
def worker_env(monkeypatch, settings, live_server):
    """What the worker process must know: where the emulators are, and quick retries for the test."""
    for name, value in {
        "SITE_URL": live_server.url,
        "SANDBOX_BASE_URL": f"{live_server.url}/sandbox",
        "INTEGRATIONS_USE_SANDBOX": "1",
        "ZOOM_DAILY_MEETING_LIMIT": "100000",
        "MEETINGS_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "MEETINGS_RETRY_BASE_SECONDS": "0.2",
        "MEETINGS_RETRY_CAP_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    use_sandbox(settings, live_server)
    settings.MEETINGS_MAX_ATTEMPTS = MAX_ATTEMPTS
    settings.ZOOM_DAILY_MEETING_LIMIT = 100_000


@pytest.fixture
def zoom_service(worker_env, service, practitioner):
    connect_account(practitioner, "zoom", "dr.wanjiru@zoom.test")
    Account.objects.filter(service="zoom").update(daily_meeting_limit=100_000)
    service.meeting_platform = "zoom"
    service.save()
    return service


def active_meeting(booking):
    def probe():
        meeting = current_meeting(booking.pk)
        return meeting if meeting is not None and meeting.status == MeetingStatus.ACTIVE else None

    return wait_for(probe)


def live_zoom_meetings():
    return list(ZoomMeeting.objects.filter(deleted_at__isnull=True))


def _idle(app) -> bool:
    """No task running, waiting or scheduled for a retry on the worker."""
    inspect = app.control.inspect()
    queues = [inspect.active() or {}, inspect.reserved() or {}, inspect.scheduled() or {}]
    return not any(tasks for queue in queues for tasks in queue.values())


def test_confirming_reschedule_and_cancel_reach_the_meeting_through_the_worker(
    worker_env, celery_worker, service, practitioner
):
    booking = book_online(service, practitioner)
    meeting = active_meeting(booking)
    assert meeting.provider == "selfhosted"
    assert MeetingEvent.objects.get(booking=booking, action=EventAction.CREATE).actor == "worker"

    moved = bookings.booking_reschedule(
        booking=booking, starts_at=booking.starts_at + timedelta(hours=2), enforce_availability=False
    )
    wait_for(lambda: current_meeting(booking.pk).scheduled_starts_at == moved.starts_at)

    bookings.booking_cancel(booking=booking)
    wait_for(lambda: current_meeting(booking.pk).status == MeetingStatus.CANCELLED)
    assert Meeting.objects.filter(booking=booking).count() == 1


def test_duplicated_signals_and_redelivered_tasks_give_one_meeting(worker_env, celery_worker, service, practitioner):
    booking = book_online(service, practitioner)
    booking_confirmed.send(sender=Booking, booking=booking)
    booking_confirmed.send(sender=Booking, booking=booking)
    # The same message delivered twice, as after a worker lost its connection before acknowledging.
    create_meeting.apply_async(args=[booking.pk], task_id="redelivered-create")
    create_meeting.apply_async(args=[booking.pk], task_id="redelivered-create")

    active_meeting(booking)
    wait_for(lambda: _idle(celery_worker))

    assert Meeting.objects.filter(booking=booking).count() == 1
    assert MeetingEvent.objects.filter(booking=booking, action=EventAction.CREATE).count() == 1


def test_racing_workers_make_one_zoom_meeting(zoom_service, celery_worker, practitioner):
    booking = book_online(zoom_service, practitioner)
    for _ in range(8):
        create_meeting.delay(booking.pk)

    meeting = active_meeting(booking)
    wait_for(lambda: _idle(celery_worker))

    assert meeting.provider == "zoom"
    assert Meeting.objects.filter(booking=booking).count() == 1
    [zoom] = live_zoom_meetings()
    assert str(zoom.meeting_id) == meeting.external_id


def test_zoom_failing_twice_is_retried_until_it_answers(zoom_service, celery_worker, practitioner):
    faults.inject("zoom", "meetings.create", "500", count=2)

    booking = book_online(zoom_service, practitioner)

    meeting = active_meeting(booking)
    assert (meeting.provider, meeting.attempts, meeting.is_fallback) == ("zoom", 3, False)
    assert [e.outcome for e in MeetingEvent.objects.filter(booking=booking, action=EventAction.RETRY)] == [
        EventOutcome.RETRY,
        EventOutcome.RETRY,
    ]
    assert len(live_zoom_meetings()) == 1


def test_zoom_rate_limiting_to_the_last_attempt_falls_back_to_a_room(zoom_service, celery_worker, practitioner):
    faults.inject("zoom", "meetings.create", "429", count=None, retry_after=1)

    booking = book_online(zoom_service, practitioner)

    meeting = active_meeting(booking)
    assert (meeting.provider, meeting.is_fallback) == ("selfhosted", True)
    assert meeting.fallback_reason.startswith("Zoom was rate limited")
    assert Meeting.objects.get(booking=booking, provider="zoom").attempts == MAX_ATTEMPTS
    assert live_zoom_meetings() == []


def test_a_revoked_zoom_account_falls_back_at_once(zoom_service, celery_worker, practitioner):
    faults.revoke_grants("zoom")
    faults.expire_access_tokens("zoom")

    booking = book_online(zoom_service, practitioner)

    meeting = active_meeting(booking)
    assert (meeting.provider, meeting.is_fallback) == ("selfhosted", True)
    assert meeting.fallback_reason.startswith("Zoom refused the connected account")
    assert Meeting.objects.get(booking=booking, provider="zoom").attempts == 1


def test_a_booking_whose_task_was_lost_gets_its_meeting_from_the_due_pass(
    worker_env, celery_worker, service, practitioner
):
    booking_confirmed.disconnect(dispatch_uid="meetings.create")
    try:
        booking = book_online(service, practitioner)
    finally:
        receivers.connect()

    meeting = active_meeting(booking)

    assert meeting.join_url
    # Beat's due pass made it ("system"), not a task queued for this booking ("worker").
    assert MeetingEvent.objects.get(booking=booking, action=EventAction.CREATE).actor == "system"
