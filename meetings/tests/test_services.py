"""The meeting services over the self-hosted provider, driven by real booking signals (tasks run in-process)."""

from datetime import timedelta

import pytest

from bookings import services as bookings
from meetings.models import EventAction, EventOutcome, JoinLink, Meeting, MeetingEvent, MeetingStatus, settings_for
from meetings.providers.base import MeetingProviderError, NoAccountError
from meetings.services import (
    MeetingError,
    current_meeting,
    fallback_reason,
    meeting_create,
    meeting_ensure_for_booking,
    meeting_regenerate,
    meeting_update_for_reschedule,
)
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def confirmed(run_on_commit, service, practitioner):
    return run_on_commit(book_online, service, practitioner)


def events(booking, action=None):
    rows = MeetingEvent.objects.filter(booking=booking).order_by("id")
    return [row for row in rows if action is None or row.action == action]


def test_a_confirmed_online_booking_gets_an_active_meeting(confirmed, settings):
    meeting = current_meeting(confirmed.pk)

    assert meeting.status == MeetingStatus.ACTIVE
    assert meeting.provider == "selfhosted"
    assert meeting.join_url.startswith(settings.MEETINGS_SELFHOSTED_BASE_URL + "/")
    assert meeting.attempts == 1
    assert meeting.scheduled_starts_at == confirmed.starts_at
    assert meeting.scheduled_ends_at == confirmed.ends_at
    assert not meeting.is_fallback
    assert set(JoinLink.objects.filter(booking=confirmed).values_list("role", flat=True)) == {"patient", "host"}


def test_the_provider_call_is_timed_and_audited(confirmed):
    create = events(confirmed, EventAction.CREATE)

    assert len(create) == 1
    assert create[0].outcome == EventOutcome.OK
    assert create[0].provider == "selfhosted"
    assert create[0].duration_ms is not None
    assert create[0].actor == "worker"
    assert [e.action for e in events(confirmed)] == [
        EventAction.STATUS,
        EventAction.CLAIM,
        EventAction.CREATE,
        EventAction.STATUS,
    ]


def test_no_audit_row_holds_a_link_or_token(clinic, run_on_commit, service, practitioner):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "app", "secret-for-the-audit-check-0123456789"
    config.save()
    booking = run_on_commit(book_online, service, practitioner)
    meeting = current_meeting(booking.pk)

    for event in events(booking):
        assert meeting.external_id not in event.error + event.detail
        assert "jwt" not in event.error + event.detail


def test_an_in_person_booking_gets_no_meeting(run_on_commit, service, practitioner):
    service.is_online = False
    service.save()

    booking = run_on_commit(book_online, service, practitioner)

    assert not Meeting.objects.filter(booking=booking).exists()
    assert meeting_ensure_for_booking(booking_id=booking.pk) is None


def test_a_booking_awaiting_approval_gets_its_meeting_when_approved(run_on_commit, service, practitioner):
    service.confirmation_policy = "manual"
    service.save()
    booking = run_on_commit(book_online, service, practitioner)
    assert not Meeting.objects.filter(booking=booking).exists()

    run_on_commit(bookings.booking_approve, booking=booking)

    assert current_meeting(booking.pk).status == MeetingStatus.ACTIVE


def test_ensuring_twice_gives_the_same_meeting(confirmed):
    assert meeting_ensure_for_booking(booking_id=confirmed.pk) == meeting_ensure_for_booking(booking_id=confirmed.pk)


def test_creating_an_active_meeting_again_does_nothing(confirmed):
    meeting = current_meeting(confirmed.pk)

    assert meeting_create(meeting_id=meeting.pk, is_last_attempt=False) is None

    meeting.refresh_from_db()
    assert meeting.attempts == 1
    assert len(events(confirmed, EventAction.CREATE)) == 1


def test_a_reschedule_moves_the_meeting_and_keeps_the_room(clinic, run_on_commit, confirmed):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "app", "a-secret-for-reschedules-0123456789"
    config.save()
    Meeting.objects.filter(booking=confirmed).delete()
    meeting_create(meeting_id=meeting_ensure_for_booking(booking_id=confirmed.pk).pk, is_last_attempt=False)
    before = current_meeting(confirmed.pk)

    moved = run_on_commit(
        bookings.booking_reschedule,
        booking=confirmed,
        starts_at=confirmed.starts_at + timedelta(hours=5),
        enforce_availability=False,
    )

    after = current_meeting(confirmed.pk)
    assert after.pk == before.pk
    assert after.external_id == before.external_id
    assert after.scheduled_starts_at == moved.starts_at
    assert after.join_url != before.join_url  # fresh tokens for the new time
    assert [e.outcome for e in events(confirmed, EventAction.UPDATE)] == [EventOutcome.OK]


def test_an_update_for_a_time_the_provider_already_knows_calls_nobody(confirmed):
    meeting_update_for_reschedule(booking_id=confirmed.pk)

    assert events(confirmed, EventAction.UPDATE) == []


def test_a_cancelled_booking_cancels_its_meeting_and_revokes_its_links(run_on_commit, confirmed):
    run_on_commit(bookings.booking_cancel, booking=confirmed, reason="Patient is travelling")

    meeting = current_meeting(confirmed.pk)
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancelled_at is not None
    assert meeting.provider_deleted_at is not None
    assert [e.outcome for e in events(confirmed, EventAction.DELETE)] == [EventOutcome.OK]
    assert all(link.is_revoked for link in JoinLink.objects.filter(booking=confirmed))


def test_regenerating_keeps_the_old_meeting_as_history_and_the_join_links(run_on_commit, owner, confirmed):
    old = current_meeting(confirmed.pk)
    tokens = set(JoinLink.objects.filter(booking=confirmed).values_list("token", flat=True))

    run_on_commit(
        meeting_regenerate, booking_id=confirmed.pk, actor=f"user:{owner.pk}", reason="Patient cannot open it"
    )

    new = current_meeting(confirmed.pk)
    old.refresh_from_db()
    assert new.pk != old.pk
    assert new.status == MeetingStatus.ACTIVE
    assert new.external_id != old.external_id
    assert (old.status, old.is_current) == (MeetingStatus.CANCELLED, False)
    assert old.provider_deleted_at is not None
    regenerate = events(confirmed, EventAction.REGENERATE)
    assert len(regenerate) == 1
    assert regenerate[0].actor == f"user:{owner.pk}"
    assert "Patient cannot open it" in regenerate[0].detail
    assert set(JoinLink.objects.filter(booking=confirmed).values_list("token", flat=True)) == tokens


def test_regenerating_needs_a_reason_and_a_confirmed_online_booking(run_on_commit, confirmed):
    with pytest.raises(MeetingError):
        meeting_regenerate(booking_id=confirmed.pk, actor="user:1", reason="  ")
    run_on_commit(bookings.booking_cancel, booking=confirmed)
    with pytest.raises(MeetingError):
        meeting_regenerate(booking_id=confirmed.pk, actor="user:1", reason="Try again")


def test_the_service_platform_wins_over_the_clinic_default(clinic, run_on_commit, service, practitioner):
    config = settings_for(clinic)
    config.default_provider = "zoom"
    config.save()

    booking = run_on_commit(book_online, service, practitioner)

    assert current_meeting(booking.pk).provider == "selfhosted"


def test_a_service_without_a_platform_uses_the_clinic_default(clinic, run_on_commit, service, practitioner):
    service.meeting_platform = ""
    service.save()

    booking = run_on_commit(book_online, service, practitioner)

    assert current_meeting(booking.pk).provider == settings_for(clinic).default_provider == "selfhosted"


def test_a_provider_that_cannot_be_used_falls_back_to_a_room_and_says_why(run_on_commit, service, practitioner):
    # Teams with no Microsoft account connected refuses for good: the booking still gets a working link.
    service.meeting_platform = "microsoft"
    service.save()

    booking = run_on_commit(book_online, service, practitioner)

    meeting = current_meeting(booking.pk)
    assert meeting.status == MeetingStatus.ACTIVE
    assert meeting.provider == "selfhosted"
    assert meeting.is_fallback
    assert meeting.fallback_reason == (
        "Dr. Wanjiru Kamau has no Microsoft connection, so a ClinicPro room (Jitsi) link was made instead"
    )
    failed = Meeting.objects.get(booking=booking, provider="microsoft")
    assert (failed.status, failed.is_current) == (MeetingStatus.FAILED, False)
    assert failed.last_error
    assert [e.outcome for e in events(booking, EventAction.FALLBACK)] == [EventOutcome.OK]


@pytest.mark.parametrize(
    ("error", "attempts", "why"),
    [
        (MeetingProviderError("Invalid access token.", reconnect=True), 1, "Zoom refused the connected account"),
        (MeetingProviderError("Too many requests", retry_after=30, status_code=429), 5, "Zoom was rate limited"),
        (
            MeetingProviderError("Validation Failed.", permanent=True),
            1,
            "Zoom refused the meeting (Validation Failed.)",
        ),
        (MeetingProviderError("Zoom answered 503"), 5, "Zoom kept failing after 5 attempts"),
        (NoAccountError("Dr. Otieno Were has no Zoom connection"), 1, "Dr. Otieno Were has no Zoom connection,"),
    ],
)
def test_the_fallback_reason_says_what_went_wrong_in_plain_words(error, attempts, why):
    reason = fallback_reason("zoom", error, attempts, "selfhosted")

    assert reason.startswith(why)
    assert reason.endswith(", so a ClinicPro room (Jitsi) link was made instead")
