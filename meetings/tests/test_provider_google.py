"""Google Meet against the Google Calendar emulator, over real HTTP."""

import uuid
from datetime import timedelta
from typing import Any

import pytest

from integrations.models import Connection, ConnectionStatus
from integrations.vendors.http import VendorResponse
from meetings.models import ClinicMeetingSettings, Meeting, MeetingStatus
from meetings.providers.base import MeetingProviderError, MeetingRecord
from meetings.providers.google.errors import raise_for_response
from meetings.providers.google.provider import GoogleMeetProvider, event_id_for
from meetings.testing.contract import PATIENT_EMAIL, VendorContract, VendorMeeting
from sandbox import faults
from sandbox.models import GoogleEvent

from .connected_providers import approve_online_booking, connect_account, use_sandbox

GOOGLE_EMAIL = "dr.contract@gmail.test"


class TestGoogleMeetContract(VendorContract):
    provider_key = "google"
    sandbox_service = "google"
    fault_endpoints = {"create": "events.insert", "update": "events.patch", "delete": "events.delete"}

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> GoogleMeetProvider:
        connect_account(practitioner, "google", GOOGLE_EMAIL)
        provider = GoogleMeetProvider(clinic=clinic, practitioner=practitioner)
        # Short waits between re-reads of a pending conference keep the suite quick; the count is what matters.
        provider.conference_waits = (0.05, 0.05, 0.05)
        return provider

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        event = GoogleEvent.objects.filter(event_id=record.external_id, deleted_at__isnull=True).first()
        if event is None:
            return None
        return VendorMeeting(
            external_id=event.event_id,
            title=event.resource.get("summary", ""),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )

    def vendor_meeting_count(self) -> int:
        return GoogleEvent.objects.filter(deleted_at__isnull=True).count()

    # --- Google's own quirks ----------------------------------------------------------------

    def test_the_event_carries_a_meet_conference_and_no_invitation_goes_out(self, provider, meeting_request):
        record = provider.create(meeting_request)

        event = GoogleEvent.objects.get(event_id=record.external_id)
        assert event.event_id == uuid.UUID(meeting_request.idempotency_key).hex
        assert event.resource["conferenceData"]["createRequest"]["requestId"] == meeting_request.idempotency_key
        assert record.join_url.startswith("https://meet.google.com/")
        assert record.join_url == event.resource["hangoutLink"]
        assert record.passcode == ""
        assert "attendees" not in event.resource
        assert event.mails == []

    def test_a_pending_conference_is_read_again_until_it_has_a_link(self, provider, meeting_request):
        faults.inject("google", "events.insert", "pending", pending_reads=2)

        record = provider.create(meeting_request)

        assert record.join_url.startswith("https://meet.google.com/")
        assert self.vendor_meeting_count() == 1

    def test_a_conference_pending_too_long_is_transient_and_the_retry_keeps_the_same_event(
        self, provider, meeting_request
    ):
        faults.inject("google", "events.insert", "pending", pending_reads=len(provider.conference_waits) + 1)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent

        record = provider.create(meeting_request)
        assert record.join_url.startswith("https://meet.google.com/")
        assert record.external_id == event_id_for(meeting_request.idempotency_key)
        assert self.vendor_meeting_count() == 1

    @pytest.mark.parametrize("mode", ["403_rate_limit", "403_user_rate_limit"])
    def test_a_403_rate_limit_waits_as_long_as_google_asks_and_then_succeeds(self, mode, provider, meeting_request):
        faults.inject("google", "events.insert", mode, retry_after=7)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert (caught.value.permanent, caught.value.retry_after, caught.value.status_code) == (False, 7, 403)
        assert provider.create(meeting_request).join_url.startswith("https://meet.google.com/")

    def test_a_calendar_quota_for_the_day_is_permanent(self, provider, meeting_request):
        faults.inject("google", "events.insert", "403_quota")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert caught.value.permanent and not caught.value.reconnect
        assert "usage limit" in str(caught.value)
        assert self.vendor_meeting_count() == 0

    def test_a_conference_that_google_failed_to_make_is_permanent(self, provider, meeting_request):
        faults.inject("google", "events.insert", "conference_failure")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert caught.value.permanent
        assert "could not create the Meet conference" in str(caught.value)

    def test_a_calendar_that_cannot_host_meet_is_permanent(self, provider, meeting_request):
        faults.inject("google", "events.insert", "no_meet")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert caught.value.permanent and caught.value.status_code == 400
        assert "cannot host Google Meet" in str(caught.value)
        assert self.vendor_meeting_count() == 0

    def test_a_reschedule_keeps_the_meet_link(self, provider, contract_booking, meeting_request):
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(hours=5)
        contract_booking.ends_at += timedelta(hours=5)

        moved = provider.update(record, self.request_for(contract_booking, meeting_request.idempotency_key))

        assert moved.join_url == record.join_url
        assert GoogleEvent.objects.get(event_id=record.external_id).starts_at == contract_booking.starts_at

    def test_a_cancelled_event_is_not_found_again(self, provider, meeting_request):
        record = provider.create(meeting_request)
        found = provider.find(meeting_request)
        assert found is not None
        assert (found.external_id, found.join_url) == (record.external_id, record.join_url)

        provider.delete(record)

        assert provider.find(meeting_request) is None

    def test_a_clinic_that_opts_in_lets_google_mail_the_patient(self, provider, contract_clinic, contract_booking):
        ClinicMeetingSettings.objects.update_or_create(clinic=contract_clinic, defaults={"send_provider_invites": True})

        record = provider.create(self.request_for(contract_booking))

        mails = GoogleEvent.objects.get(event_id=record.external_id).mails
        assert [mail["email"] for mail in mails] == [PATIENT_EMAIL]

    def test_it_is_usable_only_with_a_connected_google_account(self, provider, contract_clinic, contract_practitioner):
        assert GoogleMeetProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner) == (True, "")

        Connection.objects.filter(provider="google").update(status=ConnectionStatus.NEEDS_RECONNECT)

        usable, reason = GoogleMeetProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner)
        assert not usable
        assert reason == "Google connection needs reconnecting"

    def test_without_a_connection_creating_says_whose_connection_is_missing(
        self, provider, contract_practitioner, meeting_request
    ):
        Connection.objects.filter(provider="google").update(status=ConnectionStatus.REVOKED)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert caught.value.permanent and not caught.value.reconnect
        assert str(caught.value) == f"{contract_practitioner.display_name} has no Google connection"


@pytest.mark.django_db(transaction=True)
class TestGoogleMeetThroughTheMeetingService:
    """Approving a booking runs the real signal, task and meeting service against the emulator."""

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def test_an_approved_booking_gets_a_google_meet_link(self, clinic, practitioner):
        connect_account(practitioner, "google", GOOGLE_EMAIL)

        booking = approve_online_booking(clinic, practitioner, "google")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("google", MeetingStatus.ACTIVE, False)
        event = GoogleEvent.objects.get(event_id=meeting.external_id)
        assert meeting.join_url == event.resource["hangoutLink"]
        assert event.starts_at == booking.starts_at
        assert event.account.email == GOOGLE_EMAIL

    def test_a_revoked_google_grant_falls_back_to_a_clinicpro_room(self, clinic, practitioner):
        connect_account(practitioner, "google", GOOGLE_EMAIL)
        faults.revoke_grants("google")

        booking = approve_online_booking(clinic, practitioner, "google")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("selfhosted", MeetingStatus.ACTIVE, True)
        assert meeting.join_url
        assert "reconnect" in meeting.fallback_reason
        assert Meeting.objects.get(booking=booking, provider="google").status == MeetingStatus.FAILED
        assert Connection.objects.get(provider="google").status == ConnectionStatus.NEEDS_RECONNECT
        assert not GoogleEvent.objects.exists()


def _google_error(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> VendorResponse:
    body = {
        "error": {
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return VendorResponse(status=status, body=body, headers=headers or {})


@pytest.mark.parametrize(
    ("answer", "permanent", "reconnect", "retry_after"),
    [
        (_google_error(403, "userRateLimitExceeded", "User Rate Limit Exceeded"), False, False, 30.0),
        (_google_error(403, "rateLimitExceeded", "Rate Limit Exceeded"), False, False, 30.0),
        (_google_error(429, "rateLimitExceeded", "Rate Limit Exceeded", {"Retry-After": "12"}), False, False, 12.0),
        (_google_error(403, "quotaExceeded", "Calendar usage limits exceeded."), True, False, None),
        (_google_error(400, "invalid", "Invalid conference type value."), True, False, None),
        (_google_error(403, "insufficientPermissions", "Insufficient Permission"), True, True, None),
        (_google_error(401, "authError", "Invalid Credentials"), True, True, None),
        (_google_error(503, "backendError", "Backend Error"), False, False, None),
    ],
)
def test_google_answers_map_onto_the_provider_error(answer, permanent, reconnect, retry_after):
    with pytest.raises(MeetingProviderError) as caught:
        raise_for_response(answer)

    assert caught.value.permanent is permanent
    assert caught.value.reconnect is reconnect
    assert caught.value.retry_after == retry_after
    assert caught.value.status_code == answer.status


def test_event_ids_are_valid_base32hex_and_stable_for_any_key():
    for key in (str(uuid.uuid4()), "meeting-42-attempt", "x"):
        event_id = event_id_for(key)
        assert event_id == event_id_for(key)
        assert 5 <= len(event_id) <= 1024
        assert set(event_id) <= set("0123456789abcdefghijklmnopqrstuv")
