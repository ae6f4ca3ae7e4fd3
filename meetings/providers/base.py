"""The contract every meeting provider fulfils.

A provider only talks to its vendor: it never writes Meeting status, attempts
or audit rows. The one caller (meetings.services) does that, and maps every
vendor failure it sees through `MeetingProviderError`.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bookings.models import Booking, Practitioner
from clinicpro.models import Clinic
from integrations.vendors.http import VendorError

# What every provider raises: vendor clients and providers share one error type, so a vendor's
# error mapping is read the same way whether the call made a meeting or read a calendar.
MeetingProviderError = VendorError


class NoAccountError(MeetingProviderError):
    """There is no account this provider can use for the booking's practitioner: none was ever
    connected, or the one connected waits to be reconnected (`reconnect`).

    Permanent, so the booking falls back at once. Its message names whose account is missing
    ("Dr. Otieno Were has no Google connection"), and no vendor refused anything.
    """

    def __init__(self, message: str, *, reconnect: bool = False) -> None:
        super().__init__(message, permanent=True, reconnect=reconnect)


@dataclass
class MeetingRecord:
    """What a provider knows about one meeting."""

    external_id: str
    join_url: str
    host_url: str = ""
    passcode: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MeetingRequest:
    """What a provider needs to create or update a meeting; never the patient's name."""

    booking: Booking
    # Stable per meeting row: providers derive idempotency keys from it (Google event id, Graph transactionId).
    idempotency_key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    # The service's meeting_settings, plus the clinic's "send_provider_invites". Read through `wants`:
    #   "waiting_room" (default on): Zoom holds people in a waiting room until the host admits them
    #   (a passcode is always set: Zoom accounts require one);
    #   "send_provider_invites" (default off): Google or Microsoft email their own invitation to the patient.
    settings: dict[str, Any]

    def wants(self, name: str, default: bool) -> bool:
        value = self.settings.get(name, default)
        return value if isinstance(value, bool) else default


class MeetingProvider:
    key: ClassVar[str]
    label: ClassVar[str]
    # False when moving the time means a new meeting (the caller then deletes and creates).
    supports_update: ClassVar[bool] = True

    def __init__(self, *, clinic: Clinic, practitioner: Practitioner | None = None) -> None:
        self.clinic = clinic
        self.practitioner = practitioner

    def create(self, request: MeetingRequest) -> MeetingRecord:
        raise NotImplementedError

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        raise NotImplementedError

    def delete(self, record: MeetingRecord) -> None:
        """Remove the meeting at the vendor. Already gone counts as done."""
        raise NotImplementedError

    def find(self, request: MeetingRequest) -> MeetingRecord | None:
        """Look for a meeting created by an earlier attempt whose response was lost."""
        return None

    def host_url(self, record: MeetingRecord) -> str:
        """A fresh host link at join time (Zoom start URLs expire)."""
        return record.host_url

    def links_outdated(self, record: MeetingRecord) -> bool:
        """Whether the stored links were made under settings that changed since (`update` renews them)."""
        return False

    @classmethod
    def is_usable(cls, *, clinic: Clinic, practitioner: Practitioner | None = None) -> tuple[bool, str]:
        """Whether this provider can create meetings for this clinic/practitioner, and why not."""
        return True, ""
