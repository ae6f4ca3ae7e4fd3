"""What the meeting tables themselves guarantee."""

import pytest
from django.db import IntegrityError, connection, transaction

from meetings.models import (
    ClinicMeetingSettings,
    EventAction,
    EventOutcome,
    JoinLink,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    join_link_for,
    record_event,
    settings_for,
)
from meetings.models.audit import AppendOnlyError
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(service, practitioner):
    return book_online(service, practitioner)


def test_the_database_refuses_a_second_current_meeting_for_a_booking(booking):
    Meeting.objects.filter(booking=booking).delete()
    Meeting.objects.create(booking=booking, provider="selfhosted")

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(booking=booking, provider="zoom")


def test_earlier_meetings_stay_as_history_beside_the_current_one(booking):
    Meeting.objects.filter(booking=booking).delete()
    Meeting.objects.create(booking=booking, provider="zoom", is_current=False, status=MeetingStatus.FAILED)
    Meeting.objects.create(booking=booking, provider="zoom", is_current=False, status=MeetingStatus.CANCELLED)
    Meeting.objects.create(booking=booking, provider="selfhosted", is_fallback=True)

    assert booking.meetings.count() == 3
    assert booking.meetings.filter(is_current=True).count() == 1


def test_every_meeting_gets_its_own_idempotency_key(booking):
    Meeting.objects.filter(booking=booking).delete()
    first = Meeting.objects.create(booking=booking, provider="zoom", is_current=False)
    second = Meeting.objects.create(booking=booking, provider="zoom")

    assert first.idempotency_key != second.idempotency_key


def test_host_links_and_passcodes_are_encrypted_at_rest(booking):
    Meeting.objects.filter(booking=booking).delete()
    meeting = Meeting.objects.create(
        booking=booking,
        provider="zoom",
        host_url="https://zoom.example/s/123?zak=host-secret-token",
        passcode="482915",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT host_url, passcode FROM meetings_meeting WHERE id = %s", [meeting.pk])
        host_url, passcode = cursor.fetchone()
    assert "host-secret-token" not in host_url
    assert "482915" not in passcode
    meeting.refresh_from_db()
    assert meeting.host_url.endswith("zak=host-secret-token")


def test_the_jitsi_app_secret_is_encrypted_at_rest(clinic):
    config = settings_for(clinic)
    config.jitsi_app_secret = "jitsi-shared-secret-value"
    config.save()

    with connection.cursor() as cursor:
        cursor.execute("SELECT jitsi_app_secret FROM meetings_clinicmeetingsettings WHERE id = %s", [config.pk])
        (stored,) = cursor.fetchone()
    assert "jitsi-shared-secret-value" not in stored


def test_a_clinic_starts_on_self_hosted_rooms_at_the_configured_server(clinic, settings):
    config = settings_for(clinic)

    assert config.default_provider == "selfhosted"
    assert config.fallback_provider == "selfhosted"
    assert config.base_url == settings.MEETINGS_SELFHOSTED_BASE_URL
    assert config.join_opens_minutes_before == 15
    assert config.join_closes_minutes_after == 60
    assert config.send_provider_invites is False
    assert not config.uses_jwt
    assert settings_for(clinic) == config
    assert ClinicMeetingSettings.objects.filter(clinic=clinic).count() == 1


def test_audit_rows_can_be_added_but_never_changed(booking):
    event = record_event(
        booking_id=booking.pk, action=EventAction.CREATE, outcome=EventOutcome.OK, provider="zoom", duration_ms=12
    )
    event.outcome = EventOutcome.ERROR

    with pytest.raises(AppendOnlyError):
        event.save()
    assert MeetingEvent.objects.get(pk=event.pk).outcome == EventOutcome.OK


def test_a_booking_has_one_stable_unguessable_join_link_per_role(booking):
    patient = join_link_for(booking, "patient")
    host = join_link_for(booking, "host")

    assert join_link_for(booking, "patient") == patient
    assert patient.token != host.token
    assert len(patient.token) >= 43  # 32 random bytes, url-safe base64
    assert JoinLink.objects.filter(booking=booking).count() == 2
    with pytest.raises(ValueError):
        join_link_for(booking, "admin")


def test_stored_fallback_reasons_lose_the_full_stop_their_sentences_add(booking):
    from django.db.migrations.executor import MigrationExecutor

    Meeting.objects.filter(booking=booking).delete()
    old = "Zoom was rate limited, so a ClinicPro room (Jitsi) link was made instead."
    meeting = Meeting.objects.create(booking=booking, provider="selfhosted", fallback_reason=old, change_reason=old)
    executor = MigrationExecutor(connection)
    executor.migrate([("meetings", "0003_durable_work_on_meeting_rows")])

    executor.loader.build_graph()
    executor.migrate([("meetings", "0004_fallback_reasons_without_full_stop")])

    meeting.refresh_from_db()
    assert meeting.fallback_reason == meeting.change_reason == old.removesuffix(".")
