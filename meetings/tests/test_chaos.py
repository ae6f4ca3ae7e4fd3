"""Chaos through a real worker (with beat) on Redis and on RabbitMQ, against the Zoom emulator with faults.

Each test ends the same way: every confirmed online booking has exactly one
working link, and the vendor holds no live meeting that no booking owns.
"""

import time

import pytest

from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from meetings.models import Meeting, MeetingStatus
from meetings.testing.scenes import book_online, wait_for
from sandbox import faults
from sandbox.models import Account, ZoomMeeting

from .connected_providers import connect_account, use_sandbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECOVERY_TIMEOUT = 60.0


@pytest.fixture
def zoom_world(monkeypatch, settings, live_server, service, practitioner):
    """Zoom for the practitioner, and quick retries, told to the worker through its environment."""
    for name, value in {
        "SITE_URL": live_server.url,
        "SANDBOX_BASE_URL": f"{live_server.url}/sandbox",
        "INTEGRATIONS_USE_SANDBOX": "1",
        "ZOOM_DAILY_MEETING_LIMIT": "100000",
        "MEETINGS_MAX_ATTEMPTS": "2",
        "MEETINGS_RETRY_BASE_SECONDS": "0.2",
        "MEETINGS_RETRY_CAP_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    use_sandbox(settings, live_server)
    settings.ZOOM_DAILY_MEETING_LIMIT = 100_000
    connect_account(practitioner, "zoom", "dr.wanjiru@zoom.test")
    Account.objects.filter(service="zoom").update(daily_meeting_limit=100_000)
    service.meeting_platform = "zoom"
    service.save()
    return service


def book_many(service, practitioner, count: int) -> list[Booking]:
    return [book_online(service, practitioner, hours_ahead=24 + i) for i in range(count)]


def every_booking_has_one_working_link() -> bool:
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED, is_online=True)
    working = Meeting.objects.filter(
        booking__in=confirmed, is_current=True, status=MeetingStatus.ACTIVE, next_attempt_at__isnull=True
    ).exclude(join_url="")
    return working.count() == confirmed.count()


def orphans_at_zoom() -> list[str]:
    """Live Zoom meetings that no booking's current, working meeting owns."""
    owned = set(
        Meeting.objects.filter(is_current=True, status=MeetingStatus.ACTIVE, provider="zoom").values_list(
            "external_id", flat=True
        )
    )
    live = {str(m) for m in ZoomMeeting.objects.filter(deleted_at__isnull=True).values_list("meeting_id", flat=True)}
    return sorted(live - owned)


def nothing_left_behind() -> bool:
    return (
        every_booking_has_one_working_link()
        and not orphans_at_zoom()
        and not Meeting.objects.filter(next_attempt_at__isnull=False).exists()
    )


def assert_settled() -> None:
    wait_for(nothing_left_behind, timeout=RECOVERY_TIMEOUT, interval=0.5)
    assert orphans_at_zoom() == []
    for booking in Booking.objects.filter(status=BookingStatus.CONFIRMED):
        assert Meeting.objects.filter(booking=booking, is_current=True, status=MeetingStatus.ACTIVE).count() == 1


def test_a_worker_killed_mid_batch_loses_nothing(zoom_world, celery_worker_process, practitioner):
    faults.inject("zoom", "meetings.create", "delay", count=None, delay_seconds=0.4)
    booked = book_many(zoom_world, practitioner, 12)
    wait_for(lambda: Meeting.objects.filter(status=MeetingStatus.ACTIVE).exists(), timeout=30)

    celery_worker_process.kill()
    assert Meeting.objects.filter(booking__in=booked).exclude(status=MeetingStatus.ACTIVE).exists()
    celery_worker_process.start()

    assert_settled()
    assert ZoomMeeting.objects.filter(deleted_at__isnull=True).count() == len(booked)


def test_answers_lost_on_the_last_attempt_leave_no_meeting_at_zoom(zoom_world, celery_worker_process, practitioner):
    # Zoom makes every meeting and every answer is lost; the first look-up fails too, so one booking
    # falls back to a room and the Zoom meeting nobody heard of must be found and deleted.
    faults.inject("zoom", "meetings.create", "lost_response", count=None)
    faults.inject("zoom", "meetings.list", "500", count=2)
    book_many(zoom_world, practitioner, 4)

    assert_settled()
    assert Meeting.objects.filter(answer_lost=True).count() == 0


def test_cancelling_while_the_create_is_in_flight_deletes_what_zoom_made(
    zoom_world, celery_worker_process, practitioner
):
    # Zoom makes the meeting, then answers after the client has given up (HTTP_TIMEOUT_SECONDS=2).
    faults.inject("zoom", "meetings.create", "timeout", count=1, delay_seconds=4)
    booking = book_online(zoom_world, practitioner)
    wait_for(lambda: Meeting.objects.filter(booking=booking, status=MeetingStatus.CREATING).exists(), timeout=30)

    bookings.booking_cancel(booking=booking)

    wait_for(
        lambda: (
            not ZoomMeeting.objects.filter(deleted_at__isnull=True).exists()
            and ZoomMeeting.objects.exists()
            and not Meeting.objects.filter(next_attempt_at__isnull=False).exists()
        ),
        timeout=RECOVERY_TIMEOUT,
        interval=0.5,
    )
    meeting = Meeting.objects.get(booking=booking)
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.provider_deleted_at is not None


@pytest.mark.broker_outage
def test_confirmations_during_a_broker_outage_get_their_links_once_it_is_back(
    zoom_world, celery_worker_process, practitioner
):
    before = book_many(zoom_world, practitioner, 3)
    celery_worker_process.proxy.cut()
    during = [book_online(zoom_world, practitioner, hours_ahead=48 + i) for i in range(4)]
    time.sleep(4)
    # No task could be queued for them, yet each booking's meeting row was written with it.
    assert Meeting.objects.filter(booking__in=during, is_current=True).count() == len(during)

    celery_worker_process.proxy.restore()

    assert_settled()
    assert celery_worker_process.process.poll() is None, "the supervised worker must outlive a broker outage"
    assert ZoomMeeting.objects.filter(deleted_at__isnull=True).count() == len(before) + len(during)
