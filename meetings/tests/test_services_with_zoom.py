"""Failures from a real provider: Zoom over HTTP against its emulator, steered with sandbox fault scripts.

Tasks run in-process here; retries scheduled on the meeting row are run at once
by `settle_due_work` (the due pass, with every backoff over). test_worker.py runs
the same paths through a real Celery worker.
"""

from datetime import timedelta

import pytest

from bookings import services as bookings
from integrations.models import Connection, ConnectionStatus
from meetings.models import EventAction, EventOutcome, Meeting, MeetingEvent, MeetingStatus
from meetings.services import current_meeting
from meetings.signals import provider_credentials_rejected
from meetings.testing.scenes import book_online, settle_due_work
from sandbox import faults
from sandbox.models import Account, ZoomMeeting

from .connected_providers import connect_account, use_sandbox

pytestmark = pytest.mark.django_db(transaction=True)

ROOM_FALLBACK = "so a ClinicPro room (Jitsi) link was made instead"


@pytest.fixture
def zoom_service(settings, live_server, service, practitioner):
    use_sandbox(settings, live_server)
    settings.ZOOM_DAILY_MEETING_LIMIT = 10_000
    connect_account(practitioner, "zoom", "dr.wanjiru@zoom.test")
    Account.objects.filter(service="zoom").update(daily_meeting_limit=10_000)
    service.meeting_platform = "zoom"
    service.save()
    return service


def live_zoom_meetings():
    return list(ZoomMeeting.objects.filter(deleted_at__isnull=True))


def outcomes(booking, action):
    return [e.outcome for e in MeetingEvent.objects.filter(booking=booking, action=action).order_by("id")]


def test_a_confirmed_booking_gets_one_zoom_meeting(zoom_service, practitioner):
    booking = book_online(zoom_service, practitioner)

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.status, meeting.is_fallback) == ("zoom", MeetingStatus.ACTIVE, False)
    [zoom] = live_zoom_meetings()
    assert str(zoom.meeting_id) == meeting.external_id
    assert meeting.host_url != meeting.join_url
    assert "start_url" not in meeting.raw


def test_it_retries_zoom_server_errors_until_zoom_answers(zoom_service, practitioner):
    faults.inject("zoom", "meetings.create", "500", count=2)

    booking = book_online(zoom_service, practitioner)
    settle_due_work()

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.status, meeting.attempts) == ("zoom", MeetingStatus.ACTIVE, 3)
    assert not meeting.is_fallback
    assert meeting.last_error == ""
    assert outcomes(booking, EventAction.CREATE) == [EventOutcome.ERROR, EventOutcome.ERROR, EventOutcome.OK]
    assert outcomes(booking, EventAction.RETRY) == [EventOutcome.RETRY, EventOutcome.RETRY]
    assert len(live_zoom_meetings()) == 1


def test_it_falls_back_when_zoom_is_rate_limited(zoom_service, practitioner, settings):
    faults.inject("zoom", "meetings.create", "429", count=None, retry_after=1)

    booking = book_online(zoom_service, practitioner)
    settle_due_work()

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.status, meeting.is_fallback) == ("selfhosted", MeetingStatus.ACTIVE, True)
    assert meeting.fallback_reason == f"Zoom was rate limited, {ROOM_FALLBACK}"
    failed = Meeting.objects.get(booking=booking, provider="zoom")
    assert (failed.status, failed.is_current, failed.attempts) == (
        MeetingStatus.FAILED,
        False,
        settings.MEETINGS_MAX_ATTEMPTS,
    )
    assert live_zoom_meetings() == []


def test_a_lost_answer_is_found_again_instead_of_creating_a_second_zoom_meeting(zoom_service, practitioner):
    faults.inject("zoom", "meetings.create", "lost_response")

    booking = book_online(zoom_service, practitioner)
    settle_due_work()

    meeting = current_meeting(booking.pk)
    assert (meeting.status, meeting.attempts) == (MeetingStatus.ACTIVE, 2)
    assert outcomes(booking, EventAction.FIND) == [EventOutcome.OK]
    assert outcomes(booking, EventAction.CREATE) == [EventOutcome.ERROR]
    [zoom] = live_zoom_meetings()
    assert str(zoom.meeting_id) == meeting.external_id


def test_a_revoked_zoom_account_asks_for_reconnection_and_falls_back_at_once(zoom_service, practitioner):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    provider_credentials_rejected.connect(listener)
    faults.revoke_grants("zoom")
    faults.expire_access_tokens("zoom")
    try:
        booking = book_online(zoom_service, practitioner)
    finally:
        provider_credentials_rejected.disconnect(listener)

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.is_fallback, meeting.status) == ("selfhosted", True, MeetingStatus.ACTIVE)
    assert meeting.fallback_reason.startswith("Zoom refused the connected account")
    assert Meeting.objects.get(booking=booking, provider="zoom").attempts == 1
    [signal] = heard
    assert (signal["provider"], signal["clinic"], signal["practitioner"]) == ("zoom", zoom_service.clinic, practitioner)
    connection = Connection.objects.get(provider="zoom")
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT


def test_a_reschedule_moves_the_zoom_meeting(zoom_service, practitioner):
    booking = book_online(zoom_service, practitioner)

    moved = bookings.booking_reschedule(
        booking=booking, starts_at=booking.starts_at + timedelta(hours=3), enforce_availability=False
    )

    [zoom] = live_zoom_meetings()
    assert zoom.resource["start_time"] == moved.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    meeting = current_meeting(booking.pk)
    assert str(zoom.meeting_id) == meeting.external_id
    assert meeting.scheduled_starts_at == moved.starts_at


def test_a_reschedule_past_zooms_daily_limit_moves_the_booking_to_a_room(zoom_service, practitioner, settings):
    booking = book_online(zoom_service, practitioner)
    settings.ZOOM_DAILY_MEETING_LIMIT = 1

    bookings.booking_reschedule(
        booking=booking, starts_at=booking.starts_at + timedelta(hours=3), enforce_availability=False
    )

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.is_fallback, meeting.status) == ("selfhosted", True, MeetingStatus.ACTIVE)
    assert meeting.fallback_reason.startswith("Zoom refused the meeting (Zoom's daily limit of 1 meetings")
    assert meeting.scheduled_starts_at == booking.starts_at + timedelta(hours=3)
    old = Meeting.objects.get(booking=booking, provider="zoom")
    assert (old.status, old.is_current) == (MeetingStatus.FAILED, False)
    # The Zoom meeting at the old time is removed, so nobody waits in it.
    assert old.provider_deleted_at is not None
    assert live_zoom_meetings() == []


def test_a_reschedule_with_a_refused_zoom_account_asks_for_reconnection(zoom_service, practitioner):
    booking = book_online(zoom_service, practitioner)
    faults.inject("zoom", "meetings.update", "401", count=None)

    try:
        bookings.booking_reschedule(
            booking=booking, starts_at=booking.starts_at + timedelta(hours=3), enforce_availability=False
        )
    finally:
        faults.clear("zoom")

    meeting = current_meeting(booking.pk)
    assert (meeting.provider, meeting.is_fallback, meeting.status) == ("selfhosted", True, MeetingStatus.ACTIVE)
    assert Connection.objects.get(provider="zoom").status == ConnectionStatus.NEEDS_RECONNECT
    # Without a working account the old Zoom meeting cannot be deleted yet: the sweeper keeps it in view.
    old = Meeting.objects.get(booking=booking, provider="zoom")
    assert (old.status, old.is_current, old.provider_deleted_at) == (MeetingStatus.FAILED, False, None)


def test_cancelling_deletes_the_zoom_meeting_even_when_zoom_first_fails(zoom_service, practitioner):
    booking = book_online(zoom_service, practitioner)
    faults.inject("zoom", "meetings.delete", "500")

    bookings.booking_cancel(booking=booking)
    meeting = current_meeting(booking.pk)
    assert meeting.next_attempt_at is not None  # the failed deletion stays due on the row
    settle_due_work()

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.provider_deleted_at is not None
    assert outcomes(booking, EventAction.DELETE) == [EventOutcome.ERROR, EventOutcome.OK]
    assert live_zoom_meetings() == []


def test_regenerating_deletes_the_old_zoom_meeting_and_makes_a_new_one(zoom_service, practitioner, owner):
    from meetings.services import meeting_regenerate

    booking = book_online(zoom_service, practitioner)
    old = current_meeting(booking.pk)

    meeting_regenerate(booking_id=booking.pk, actor=f"user:{owner.pk}", reason="The host link expired")

    new = current_meeting(booking.pk)
    assert new.pk != old.pk and new.status == MeetingStatus.ACTIVE
    [zoom] = live_zoom_meetings()
    assert str(zoom.meeting_id) == new.external_id != old.external_id


def test_a_zoom_meeting_that_cannot_be_deleted_yet_is_listed_and_retried_until_it_is(
    zoom_service, practitioner, owner, rf
):
    from bookings.hooks import dashboard_banners
    from meetings.selectors import meetings_stuck_at_vendor

    booking = book_online(zoom_service, practitioner)
    [zoom] = live_zoom_meetings()
    faults.revoke_grants("zoom")
    faults.expire_access_tokens("zoom")

    bookings.booking_cancel(booking=booking)

    meeting = Meeting.objects.get(booking=booking)
    assert (meeting.provider_deleted_at, meeting.step_failures) == (None, 1)
    assert meeting.next_attempt_at is not None
    assert list(meetings_stuck_at_vendor(zoom_service.clinic)) == [meeting]
    request = rf.get("/")
    request.membership = owner.memberships.get()
    request.clinic = zoom_service.clinic
    # Through the dashboard's one question to every banner source, as the owner's dashboard asks it.
    assert any("could not be deleted at Zoom yet" in banner for banner in dashboard_banners(request))

    connect_account(practitioner, "zoom", "dr.wanjiru@zoom.test")
    settle_due_work()

    meeting.refresh_from_db()
    assert meeting.provider_deleted_at is not None
    assert list(meetings_stuck_at_vendor(zoom_service.clinic)) == []
    assert live_zoom_meetings() == []
    assert ZoomMeeting.objects.get(pk=zoom.pk).deleted_at is not None
