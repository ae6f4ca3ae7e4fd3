"""The contract every meeting provider passes, over real HTTP against its sandbox emulator.

A provider's test module subclasses `VendorContract` (a provider that calls a
vendor over HTTP) or `ProviderContract` (one that calls nobody, like the
self-hosted rooms) and supplies only its specifics; the cases below are shared:

    class TestZoomContract(VendorContract):
        provider_key = "zoom"
        sandbox_service = "zoom"
        fault_endpoints = {"create": "meetings.create", "update": "meetings.update", "delete": "meetings.delete"}

        def build_provider(self, *, clinic, practitioner, sandbox_url):
            ...connect the practitioner to the emulator at sandbox_url...
            return ZoomProvider(clinic=clinic, practitioner=practitioner)

        def vendor_meeting(self, record):
            ...read the emulator's rows; None when the meeting is gone...

        def vendor_meeting_count(self):
            ...how many live meetings the emulator holds...

`ProviderContract` holds the cases every provider passes; `VendorContract` adds
what every vendor shares: the meeting's time and its deletion at the vendor, the
vendor's faults (500, 429, 401, timeouts, lost responses) injected through the
sandbox emulator, and tokens (refreshed before expiry, a refused grant asking for
a reconnect). Cases that only some providers can pass live in mixins a provider's
test class lists, so no case passes without asserting: `HostLinkCases` (a host
link of its own), `ScheduledCases` (the vendor knows the time; part of
VendorContract) and `RotatingRefreshTokenCases` (a new refresh token each time).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Patient
from clinicpro.models import Role
from clinicpro.testing.factories import ClinicFactory, MembershipFactory, PractitionerFactory, ServiceFactory
from integrations.models import Connection, ConnectionStatus

from ..providers.base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest

# Distinctive enough that finding it anywhere in a payload cannot be a coincidence.
PATIENT_NAME = "Achieng Otieno-Wafula"
PATIENT_EMAIL = "achieng.otieno@example.com"


@dataclass(frozen=True)
class VendorMeeting:
    """What the vendor itself holds for one meeting (read from the emulator, not from our records)."""

    external_id: str
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ProviderContract:
    # The registry key of the provider under test.
    provider_key: ClassVar[str]
    # Whether the provider calls a vendor over HTTP (set by VendorContract).
    vendor_http: ClassVar[bool] = False
    # The sandbox service name for sandbox.faults.inject ("google", "zoom", "microsoft").
    sandbox_service: ClassVar[str] = ""
    # Operation ("create", "update", "delete") -> sandbox endpoint name for fault injection.
    fault_endpoints: ClassVar[dict[str, str]] = {}
    # The outbound HTTP timeout during the contract, so the timeout case stays short.
    client_timeout_seconds: ClassVar[float] = 1.0

    # --- What each provider supplies --------------------------------------------------

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> MeetingProvider:
        """The provider ready to create meetings for this clinic and practitioner against the sandbox."""
        raise NotImplementedError

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        """The vendor's own view of the meeting behind `record`; None when the vendor no longer has it."""
        raise NotImplementedError

    def vendor_meeting_count(self) -> int:
        """How many live meetings the vendor holds in this test's world."""
        raise NotImplementedError

    def inject_fault(self, operation: str, mode: str, **opts: Any) -> None:
        """Script the vendor to fail the next call of `operation`; see sandbox.faults for modes and options."""
        from sandbox import faults

        faults.inject(self.sandbox_service, self.fault_endpoints[operation], mode, **opts)

    def clear_faults(self) -> None:
        from sandbox import faults

        faults.clear(self.sandbox_service)

    # --- Shared fixtures ----------------------------------------------------------------

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A static marker, so pytest-django sets the test database up even when a run holds only this module.
        # Vendor cases are transactional: the emulator answers from the live server's thread,
        # which only sees committed rows.
        marks = [mark for mark in getattr(cls, "pytestmark", []) if getattr(mark, "name", "") != "django_db"]
        cls.pytestmark = [*marks, pytest.mark.django_db(transaction=cls.vendor_http)]

    @pytest.fixture
    def sandbox_url(self, request: pytest.FixtureRequest) -> str:
        if not self.vendor_http:
            return ""
        return request.getfixturevalue("live_server").url

    @pytest.fixture
    def contract_clinic(self) -> Any:
        return ClinicFactory(name="Contract Clinic", slug="contract", timezone="Africa/Nairobi")

    @pytest.fixture
    def contract_practitioner(self, contract_clinic: Any) -> Any:
        membership = MembershipFactory(clinic=contract_clinic, role=Role.PRACTITIONER)
        return PractitionerFactory(membership=membership, display_name="Dr. Contract Mwangi")

    @pytest.fixture
    def contract_booking(self, contract_clinic: Any, contract_practitioner: Any) -> Booking:
        """A confirmed online booking, made without signals so nothing else calls the vendor."""
        service = ServiceFactory(
            clinic=contract_clinic,
            name="Video consultation",
            meeting_platform=self.provider_key,
            practitioners=[contract_practitioner],
        )
        patient = Patient.objects.create(
            clinic=contract_clinic, name=PATIENT_NAME, email=PATIENT_EMAIL, phone="+254712345678"
        )
        starts_at = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        return Booking.objects.create(
            clinic=contract_clinic,
            service=service,
            practitioner=contract_practitioner,
            patient=patient,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            status=BookingStatus.CONFIRMED,
            is_online=True,
            confirmed_at=timezone.now(),
        )

    @pytest.fixture
    def provider(
        self, settings: Any, contract_clinic: Any, contract_practitioner: Any, sandbox_url: str
    ) -> MeetingProvider:
        settings.HTTP_TIMEOUT_SECONDS = self.client_timeout_seconds
        built = self.build_provider(clinic=contract_clinic, practitioner=contract_practitioner, sandbox_url=sandbox_url)
        assert built.key == self.provider_key
        return built

    @pytest.fixture
    def meeting_request(self, contract_booking: Booking) -> MeetingRequest:
        return self.request_for(contract_booking)

    def request_for(self, booking: Booking, idempotency_key: str = "") -> MeetingRequest:
        # Built by the same function the meeting service uses, so the privacy case tests the real title.
        from ..services import meeting_request_for

        return meeting_request_for(booking, idempotency_key=idempotency_key or str(uuid.uuid4()))

    def _find_or_create(self, provider: MeetingProvider, request: MeetingRequest) -> MeetingRecord:
        """What the meeting service does on a retry: look for an earlier attempt's meeting first."""
        return provider.find(request) or provider.create(request)

    # --- Create ------------------------------------------------------------------------

    def test_create_gives_a_join_link(self, provider: MeetingProvider, meeting_request: MeetingRequest) -> None:
        record = provider.create(meeting_request)

        assert isinstance(record, MeetingRecord)
        assert record.external_id
        assert record.join_url.startswith("https://") or record.join_url.startswith("http://")
        vendor = self.vendor_meeting(record)
        assert vendor is not None
        assert vendor.external_id == record.external_id

    def test_the_patient_name_appears_in_no_title_link_or_payload(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)

        vendor = self.vendor_meeting(record)
        seen = [meeting_request.title, record.join_url, record.host_url, json.dumps(record.raw, default=str)]
        if vendor is not None:
            seen.append(vendor.title)
        for text in seen:
            for part in (PATIENT_NAME, *PATIENT_NAME.split(), PATIENT_EMAIL):
                assert part.lower() not in text.lower()

    # --- Update ------------------------------------------------------------------------

    def test_a_reschedule_keeps_the_meeting_and_its_link(
        self, provider: MeetingProvider, contract_booking: Booking, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(days=1, hours=2)
        contract_booking.ends_at += timedelta(days=1, hours=2)
        moved = self.request_for(contract_booking, meeting_request.idempotency_key)

        if not provider.supports_update:
            pytest.skip("This provider cannot move a meeting; the meeting service deletes and creates instead.")
        updated = provider.update(record, moved)

        assert updated.join_url
        vendor = self.vendor_meeting(updated)
        assert vendor is not None
        assert vendor.external_id == record.external_id


class HostLinkCases:
    """For providers that give the host a link of their own (Zoom start_url, a Jitsi moderator token)."""

    def test_the_host_gets_a_link_of_their_own(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)

        assert record.host_url
        assert record.host_url != record.join_url

    def test_the_raw_provider_data_holds_no_host_link(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)

        assert record.host_url
        assert record.host_url not in json.dumps(record.raw, default=str)


class ScheduledCases:
    """For providers whose meeting carries the appointment's time at the vendor."""

    vendor_meeting: Any
    request_for: Any

    def test_the_vendor_is_told_the_appointment_time(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)

        vendor = self.vendor_meeting(record)
        assert vendor is not None and vendor.starts_at is not None
        assert vendor.starts_at == meeting_request.starts_at

    def test_a_reschedule_moves_the_meeting_at_the_vendor(
        self, provider: MeetingProvider, contract_booking: Booking, meeting_request: MeetingRequest
    ) -> None:
        if not provider.supports_update:
            pytest.skip("This provider cannot move a meeting; the meeting service deletes and creates instead.")
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(days=1, hours=2)
        contract_booking.ends_at += timedelta(days=1, hours=2)
        moved = self.request_for(contract_booking, meeting_request.idempotency_key)

        updated = provider.update(record, moved)

        vendor = self.vendor_meeting(updated)
        assert vendor is not None and vendor.starts_at is not None
        assert vendor.starts_at == moved.starts_at


class VendorContract(ScheduledCases, ProviderContract):
    """The shared cases plus the vendor's own: remote deletion, faults injected through its emulator, tokens."""

    vendor_http: ClassVar[bool] = True

    def connection_used(self) -> Connection:
        """The connection the provider under test calls the vendor with."""
        return Connection.objects.get(provider=self.provider_key)

    # --- Remote state -------------------------------------------------------------------

    def test_a_reschedule_keeps_one_meeting_at_the_vendor(
        self, provider: MeetingProvider, contract_booking: Booking, meeting_request: MeetingRequest
    ) -> None:
        if not provider.supports_update:
            pytest.skip("This provider cannot move a meeting.")
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(hours=4)
        contract_booking.ends_at += timedelta(hours=4)

        provider.update(record, self.request_for(contract_booking, meeting_request.idempotency_key))

        assert self.vendor_meeting_count() == 1

    def test_delete_removes_the_meeting_and_a_second_delete_is_fine(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        record = provider.create(meeting_request)

        provider.delete(record)
        provider.delete(record)

        assert self.vendor_meeting(record) is None
        assert self.vendor_meeting_count() == 0

    # --- Tokens -------------------------------------------------------------------------

    def test_an_expired_access_token_is_replaced_before_the_call(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        from sandbox import faults

        old_token = self.connection_used().access_token
        faults.expire_access_tokens(self.sandbox_service)

        assert provider.create(meeting_request).join_url

        connection = self.connection_used()
        assert connection.access_token != old_token
        assert connection.status == ConnectionStatus.ACTIVE

    def test_a_refused_grant_asks_for_reconnection_and_marks_the_connection(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        from sandbox import faults

        faults.expire_access_tokens(self.sandbox_service)
        faults.inject(self.sandbox_service, "token", "invalid_grant")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)

        assert caught.value.reconnect and caught.value.permanent
        assert self.connection_used().status == ConnectionStatus.NEEDS_RECONNECT
        assert self.vendor_meeting_count() == 0

    # --- Vendor faults ------------------------------------------------------------------

    def test_a_server_error_is_transient_and_a_retry_creates_one_meeting(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "500")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent
        assert not caught.value.reconnect

        record = self._find_or_create(provider, meeting_request)
        assert record.join_url
        assert self.vendor_meeting_count() == 1

    def test_a_server_error_on_update_is_transient(
        self, provider: MeetingProvider, contract_booking: Booking, meeting_request: MeetingRequest
    ) -> None:
        if not provider.supports_update:
            pytest.skip("This provider cannot move a meeting.")
        record = provider.create(meeting_request)
        contract_booking.starts_at += timedelta(hours=3)
        contract_booking.ends_at += timedelta(hours=3)
        self.inject_fault("update", "500")

        with pytest.raises(MeetingProviderError) as caught:
            provider.update(record, self.request_for(contract_booking, meeting_request.idempotency_key))
        assert not caught.value.permanent

    def test_rate_limiting_carries_the_vendors_retry_after(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "429", retry_after=7)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent
        assert caught.value.retry_after == 7

    def test_a_retry_after_given_as_a_date_is_understood(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "429", retry_after=30, retry_after_as_date=True)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent
        # An HTTP date has whole-second precision and the clock moves on: near 30, never more.
        assert caught.value.retry_after is not None
        assert 0 < caught.value.retry_after <= 31

    def test_one_refused_token_is_refreshed_and_the_call_made_again(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "401")

        record = provider.create(meeting_request)

        assert record.join_url
        assert self.vendor_meeting_count() == 1

    def test_a_token_refused_even_after_refresh_asks_for_reconnection(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "401", count=None)
        try:
            with pytest.raises(MeetingProviderError) as caught:
                provider.create(meeting_request)
        finally:
            self.clear_faults()
        assert caught.value.reconnect
        assert caught.value.permanent

    def test_a_timeout_is_transient_and_a_retry_creates_one_meeting(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        # The vendor creates the meeting, then answers too late: the retry must not make a second one.
        self.inject_fault("create", "timeout", delay_seconds=self.client_timeout_seconds + 2)

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent

        record = self._find_or_create(provider, meeting_request)
        assert record.join_url
        assert self.vendor_meeting_count() == 1

    def test_a_lost_response_then_a_retry_leaves_exactly_one_meeting(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        self.inject_fault("create", "lost_response")

        with pytest.raises(MeetingProviderError) as caught:
            provider.create(meeting_request)
        assert not caught.value.permanent

        record = self._find_or_create(provider, meeting_request)
        again = self._find_or_create(provider, meeting_request)
        assert record.external_id == again.external_id
        assert self.vendor_meeting_count() == 1

    def test_find_locates_a_meeting_whose_answer_was_lost_so_it_can_be_deleted(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        assert provider.find(meeting_request) is None
        self.inject_fault("create", "lost_response")
        with pytest.raises(MeetingProviderError):
            provider.create(meeting_request)

        found = provider.find(meeting_request)
        assert found is not None and found.join_url
        provider.delete(found)

        assert provider.find(meeting_request) is None
        assert self.vendor_meeting_count() == 0


class RotatingRefreshTokenCases:
    """For vendors that issue a new refresh token with every refresh (Zoom, Microsoft)."""

    sandbox_service: str
    connection_used: Any

    def test_an_expired_token_is_refreshed_and_the_rotated_refresh_token_kept(
        self, provider: MeetingProvider, meeting_request: MeetingRequest
    ) -> None:
        from sandbox import faults

        before = self.connection_used()
        faults.expire_access_tokens(self.sandbox_service)

        assert provider.create(meeting_request).join_url

        after = self.connection_used()
        assert after.access_token != before.access_token
        assert after.refresh_token and after.refresh_token != before.refresh_token
