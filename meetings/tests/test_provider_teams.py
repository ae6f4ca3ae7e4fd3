"""Microsoft Teams against the Microsoft Graph emulator, over real HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from integrations.models import Connection, ConnectionStatus
from integrations.vendors.http import VendorResponse
from meetings.models import ClinicMeetingSettings, Meeting, MeetingStatus
from meetings.providers.base import MeetingProviderError, MeetingRecord
from meetings.providers.microsoft.errors import raise_for_response
from meetings.providers.microsoft.provider import TeamsProvider
from meetings.testing.contract import PATIENT_EMAIL, RotatingRefreshTokenCases, VendorContract, VendorMeeting
from sandbox import faults
from sandbox.models import GraphEvent

from .connected_providers import approve_online_booking, connect_account, use_sandbox

MICROSOFT_EMAIL = "dr.contract@uhuruhealth.onmicrosoft.test"


def _instant(value: dict[str, str]) -> datetime:
    moment = datetime.fromisoformat(value["dateTime"])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC"))
    return moment.astimezone(UTC)


class TestTeamsContract(RotatingRefreshTokenCases, VendorContract):
    provider_key = "microsoft"
    sandbox_service = "microsoft"
    fault_endpoints = {"create": "events.create", "update": "events.update", "delete": "events.delete"}

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> TeamsProvider:
        connect_account(practitioner, "microsoft", MICROSOFT_EMAIL)
        return TeamsProvider(clinic=clinic, practitioner=practitioner)

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        event = GraphEvent.objects.filter(event_id=record.external_id, deleted_at__isnull=True).first()
        if event is None:
            return None
        return VendorMeeting(
            external_id=event.event_id,
            title=event.resource.get("subject", ""),
            starts_at=_instant(event.resource["start"]),
            ends_at=_instant(event.resource["end"]),
        )

    def vendor_meeting_count(self) -> int:
        return GraphEvent.objects.filter(deleted_at__isnull=True).count()

    # --- Graph's own quirks -----------------------------------------------------------------

    def test_the_event_is_a_teams_meeting_keyed_by_its_transaction_id(self, provider, meeting_request):
        record = provider.create(meeting_request)

        event = GraphEvent.objects.get(event_id=record.external_id)
        assert event.transaction_id == meeting_request.idempotency_key
        assert event.resource["isOnlineMeeting"] is True
        assert event.resource["onlineMeetingProvider"] == "teamsForBusiness"
        assert record.join_url == event.resource["onlineMeeting"]["joinUrl"]
        assert record.join_url.startswith("https://teams.microsoft.com/")
        assert event.resource["attendees"] == []

    def test_a_personal_account_cannot_host_teams_and_leaves_no_event_behind(
        self, contract_clinic, contract_practitioner, meeting_request
    ):
        connect_account(contract_practitioner, "microsoft", "dr.contract@outlook.test")
        personal = TeamsProvider(clinic=contract_clinic, practitioner=contract_practitioner)

        with pytest.raises(MeetingProviderError) as caught:
            personal.create(meeting_request)

        assert caught.value.permanent and not caught.value.reconnect
        assert "personal Microsoft accounts cannot" in str(caught.value)
        assert self.vendor_meeting_count() == 0

    def test_a_retried_post_returns_the_same_event(self, provider, meeting_request):
        first = provider.create(meeting_request)

        again = provider.create(meeting_request)

        assert (again.external_id, again.join_url) == (first.external_id, first.join_url)
        assert self.vendor_meeting_count() == 1

    def test_a_reschedule_keeps_the_teams_link(self, provider, contract_booking, meeting_request):
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(hours=4)
        contract_booking.ends_at += timedelta(hours=4)

        moved = provider.update(record, self.request_for(contract_booking, meeting_request.idempotency_key))

        assert moved.join_url == record.join_url
        assert self.vendor_meeting(record).starts_at == contract_booking.starts_at

    def test_a_clinic_that_opts_in_invites_the_patient(self, provider, contract_clinic, contract_booking):
        ClinicMeetingSettings.objects.update_or_create(clinic=contract_clinic, defaults={"send_provider_invites": True})

        record = provider.create(self.request_for(contract_booking))

        attendees = GraphEvent.objects.get(event_id=record.external_id).resource["attendees"]
        assert [a["emailAddress"]["address"] for a in attendees] == [PATIENT_EMAIL]

    def test_it_is_usable_only_with_a_microsoft_account(self, provider, contract_clinic, contract_practitioner):
        assert TeamsProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner) == (True, "")

        Connection.objects.filter(provider="microsoft").update(status=ConnectionStatus.REVOKED)

        assert TeamsProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner) == (
            False,
            "no Microsoft connection",
        )


@pytest.mark.django_db(transaction=True)
class TestTeamsThroughTheMeetingService:
    """Approving a booking runs the real signal, task and meeting service against the emulator."""

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def test_an_approved_booking_gets_a_teams_link(self, clinic, practitioner):
        connect_account(practitioner, "microsoft", MICROSOFT_EMAIL)

        booking = approve_online_booking(clinic, practitioner, "microsoft")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("microsoft", MeetingStatus.ACTIVE, False)
        event = GraphEvent.objects.get(event_id=meeting.external_id)
        assert meeting.join_url == event.resource["onlineMeeting"]["joinUrl"]
        assert event.transaction_id == str(meeting.idempotency_key)

    def test_a_token_graph_keeps_refusing_falls_back_to_a_clinicpro_room(self, clinic, practitioner):
        connect_account(practitioner, "microsoft", MICROSOFT_EMAIL)
        faults.inject("microsoft", "events.create", "401", count=None)

        booking = approve_online_booking(clinic, practitioner, "microsoft")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("selfhosted", MeetingStatus.ACTIVE, True)
        assert "reconnect" in meeting.fallback_reason
        assert Connection.objects.get(provider="microsoft").status == ConnectionStatus.NEEDS_RECONNECT
        assert not GraphEvent.objects.exists()


def _graph_error(status: int, code: str, headers: dict[str, str] | None = None) -> VendorResponse:
    return VendorResponse(status=status, body={"error": {"code": code, "message": "..."}}, headers=headers or {})


@pytest.mark.parametrize(
    ("answer", "permanent", "reconnect", "retry_after"),
    [
        (_graph_error(429, "TooManyRequests", {"Retry-After": "9"}), False, False, 9.0),
        (_graph_error(503, "serviceNotAvailable", {"Retry-After": "2"}), False, False, 2.0),
        (_graph_error(401, "InvalidAuthenticationToken"), True, True, None),
        (_graph_error(403, "ErrorAccessDenied"), True, False, None),
        (_graph_error(404, "ErrorItemNotFound"), True, False, None),
        (_graph_error(400, "ErrorInvalidRequest"), True, False, None),
    ],
)
def test_graph_answers_map_onto_the_provider_error(answer, permanent, reconnect, retry_after):
    with pytest.raises(MeetingProviderError) as caught:
        raise_for_response(answer)

    assert caught.value.permanent is permanent
    assert caught.value.reconnect is reconnect
    assert caught.value.retry_after == retry_after
    assert caught.value.status_code == answer.status
