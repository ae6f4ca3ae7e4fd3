"""Zoom against the Zoom emulator, over real HTTP: a practitioner's own account and the clinic's S2S account."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from integrations.models import Connection, ConnectionStatus
from integrations.vendors.http import VendorResponse
from meetings.models import Meeting, MeetingStatus
from meetings.providers.base import MeetingProviderError, MeetingRecord
from meetings.providers.zoom.errors import raise_for_response
from meetings.providers.zoom.provider import ZoomProvider, marker_for
from meetings.testing.contract import HostLinkCases, RotatingRefreshTokenCases, VendorContract, VendorMeeting
from sandbox import faults, world
from sandbox.models import ZoomDailyUsage, ZoomMeeting

from .connected_providers import approve_online_booking, connect_account, connect_clinic_zoom, use_sandbox

ZOOM_EMAIL = "dr.contract@zoom.test"


class ZoomVendor:
    """Reading the emulator's meetings, shared by both ways of connecting Zoom."""

    provider_key = "zoom"
    sandbox_service = "zoom"
    fault_endpoints = {"create": "meetings.create", "update": "meetings.update", "delete": "meetings.delete"}

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        meeting = ZoomMeeting.objects.filter(meeting_id=int(record.external_id), deleted_at__isnull=True).first()
        if meeting is None:
            return None
        starts_at = datetime.fromisoformat(meeting.resource["start_time"])
        return VendorMeeting(
            external_id=str(meeting.meeting_id),
            title=meeting.resource["topic"],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=meeting.resource["duration"]),
        )

    def vendor_meeting_count(self) -> int:
        return ZoomMeeting.objects.filter(deleted_at__isnull=True).count()


class TestZoomContract(ZoomVendor, HostLinkCases, RotatingRefreshTokenCases, VendorContract):
    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> ZoomProvider:
        connect_account(practitioner, "zoom", ZOOM_EMAIL)
        return ZoomProvider(clinic=clinic, practitioner=practitioner)

    # --- Zoom's own quirks ------------------------------------------------------------------

    def test_the_meeting_has_a_waiting_room_a_passcode_and_the_clinics_timezone(self, provider, meeting_request):
        record = provider.create(meeting_request)

        meeting = ZoomMeeting.objects.get(meeting_id=int(record.external_id))
        assert meeting.account.email == ZOOM_EMAIL
        assert meeting.resource["settings"]["waiting_room"] is True
        assert meeting.resource["settings"]["join_before_host"] is False
        assert meeting.resource["settings"]["mute_upon_entry"] is True
        assert meeting.resource["timezone"] == "Africa/Nairobi"
        assert meeting.resource["type"] == 2
        assert record.passcode
        assert meeting.resource["password"] == record.passcode
        assert marker_for(meeting_request.idempotency_key) in meeting.resource["agenda"]
        assert record.join_url == meeting.resource["join_url"]

    def test_a_service_can_turn_off_the_waiting_room(self, provider, contract_booking):
        contract_booking.service.meeting_settings = {"waiting_room": False}
        contract_booking.service.save(update_fields=["meeting_settings"])

        record = provider.create(self.request_for(contract_booking))

        meeting = ZoomMeeting.objects.get(meeting_id=int(record.external_id))
        assert meeting.resource["settings"]["waiting_room"] is False
        assert record.passcode and meeting.resource["password"] == record.passcode

    def test_the_host_start_link_is_fetched_fresh_when_the_host_joins(self, provider, meeting_request):
        record = provider.create(meeting_request)

        fresh = provider.host_url(record)

        assert fresh.startswith(f"https://zoom.us/s/{record.external_id}?zak=")
        assert fresh != record.host_url

    def test_find_sees_only_the_meeting_made_for_this_request(self, provider, contract_booking, meeting_request):
        record = provider.create(meeting_request)
        other = self.request_for(contract_booking)

        found = provider.find(meeting_request)

        assert found is not None
        assert (found.external_id, found.join_url, found.passcode) == (
            record.external_id,
            record.join_url,
            record.passcode,
        )
        assert provider.find(other) is None

    def test_the_daily_cap_is_counted_here_and_then_refused_for_good(
        self, settings, provider, contract_booking, meeting_request
    ):
        settings.ZOOM_DAILY_MEETING_LIMIT = 2
        record = provider.create(meeting_request)
        provider.update(record, self.request_for(contract_booking, meeting_request.idempotency_key))

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(self.request_for(contract_booking))

        assert caught.value.permanent
        assert not caught.value.reconnect
        assert str(caught.value) == "Zoom's daily limit of 2 meetings for this account is reached"
        # Refused before the call: Zoom saw two create/update calls today, not three.
        assert ZoomDailyUsage.objects.get().calls == 2
        assert self.vendor_meeting_count() == 1

    def test_zooms_own_daily_limit_answer_is_permanent(self, provider, contract_booking, meeting_request):
        world.set_zoom_daily_limit(1, ZOOM_EMAIL)
        provider.create(meeting_request)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(self.request_for(contract_booking))

        assert caught.value.permanent
        assert "daily limit" in str(caught.value)

    def test_the_practitioners_own_zoom_is_preferred_to_the_clinics(self, provider, contract_clinic, meeting_request):
        connect_clinic_zoom(contract_clinic)

        record = provider.create(meeting_request)

        assert ZoomMeeting.objects.get(meeting_id=int(record.external_id)).account.email == ZOOM_EMAIL

    def test_it_is_usable_only_with_a_zoom_account(self, provider, contract_clinic, contract_practitioner):
        assert ZoomProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner) == (True, "")

        Connection.objects.filter(provider="zoom").update(status=ConnectionStatus.NEEDS_RECONNECT)

        usable, reason = ZoomProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner)
        assert not usable
        assert reason == "Zoom connection needs reconnecting"


class TestZoomServerToServerContract(ZoomVendor, HostLinkCases, VendorContract):
    """The same contract with no practitioner account: the clinic's Server-to-Server app hosts the meetings."""

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> ZoomProvider:
        connect_clinic_zoom(clinic, account_id="contractclinic")
        return ZoomProvider(clinic=clinic, practitioner=practitioner)

    def test_the_clinic_account_hosts_the_meeting(
        self, provider, contract_clinic, contract_practitioner, meeting_request
    ):
        assert ZoomProvider.is_usable(clinic=contract_clinic, practitioner=contract_practitioner) == (True, "")

        record = provider.create(meeting_request)

        meeting = ZoomMeeting.objects.get(meeting_id=int(record.external_id))
        assert meeting.account.organization == "contractclinic"
        assert not Connection.objects.filter(provider="zoom", membership__isnull=False).exists()

    def test_an_expired_account_token_is_asked_for_again(self, provider, meeting_request):
        connection = Connection.objects.get(provider="zoom")
        old_access = connection.access_token
        faults.expire_access_tokens("zoom")

        assert provider.create(meeting_request).join_url
        connection.refresh_from_db()
        assert connection.access_token != old_access


@pytest.mark.django_db(transaction=True)
class TestZoomThroughTheMeetingService:
    """Approving a booking runs the real signal, task and meeting service against the emulator."""

    @pytest.fixture(autouse=True)
    def _sandbox(self, settings: Any, live_server: Any) -> None:
        use_sandbox(settings, live_server)

    def test_an_approved_booking_gets_a_zoom_meeting_on_the_clinics_account(self, clinic, practitioner):
        connect_clinic_zoom(clinic)

        booking = approve_online_booking(clinic, practitioner, "zoom")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("zoom", MeetingStatus.ACTIVE, False)
        zoom_meeting = ZoomMeeting.objects.get(meeting_id=int(meeting.external_id))
        assert meeting.join_url == zoom_meeting.resource["join_url"]
        assert meeting.host_url.startswith(f"https://zoom.us/s/{meeting.external_id}?zak=")

    def test_the_daily_cap_falls_back_to_a_clinicpro_room(self, settings, clinic, practitioner):
        settings.ZOOM_DAILY_MEETING_LIMIT = 0
        connect_account(practitioner, "zoom", ZOOM_EMAIL)

        booking = approve_online_booking(clinic, practitioner, "zoom")

        meeting = Meeting.objects.get(booking=booking, is_current=True)
        assert (meeting.provider, meeting.status, meeting.is_fallback) == ("selfhosted", MeetingStatus.ACTIVE, True)
        assert "daily limit" in meeting.fallback_reason
        assert not ZoomMeeting.objects.exists()
        # A full day is not a broken account: the connection stays usable for tomorrow.
        assert Connection.objects.get(provider="zoom").status == ConnectionStatus.ACTIVE


def _zoom_answer(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> VendorResponse:
    return VendorResponse(status=status, body={"code": code, "message": message}, headers=headers or {})


@pytest.mark.parametrize(
    ("answer", "permanent", "reconnect", "retry_after"),
    [
        (_zoom_answer(429, 429, "Too many requests.", {"Retry-After": "3"}), False, False, 3.0),
        (_zoom_answer(429, 429, "Too many requests."), False, False, None),
        (_zoom_answer(429, 429, "Too many requests.", {"Retry-After": "soon"}), False, False, None),
        (_zoom_answer(401, 124, "Access token is expired."), True, True, None),
        (_zoom_answer(404, 3001, "Meeting does not exist: 1."), True, False, None),
        (_zoom_answer(400, 300, "Validation Failed."), True, False, None),
        (_zoom_answer(503, 503, "Service unavailable."), False, False, None),
    ],
)
def test_zoom_answers_map_onto_the_provider_error(answer, permanent, reconnect, retry_after):
    with pytest.raises(MeetingProviderError) as caught:
        raise_for_response(answer)

    assert caught.value.permanent is permanent
    assert caught.value.reconnect is reconnect
    assert caught.value.retry_after == retry_after
    assert caught.value.status_code == answer.status


def test_a_retry_after_given_as_an_http_date_becomes_seconds():
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)

    with pytest.raises(MeetingProviderError) as caught:
        raise_for_response(_zoom_answer(429, 429, "Too many requests.", {"Retry-After": in_a_minute}))

    assert 55 <= caught.value.retry_after <= 60
