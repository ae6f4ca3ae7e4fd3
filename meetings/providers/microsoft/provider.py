"""Microsoft Teams: a calendar-backed online meeting through Microsoft Graph.

Quirks this follows (https://learn.microsoft.com/graph/api/user-post-events):
- `transactionId` makes a retried POST /me/events return the event already made, not a second one;
- the Teams link may arrive a moment after the event, so a missing joinUrl is read again;
- throttling answers 429 with Retry-After in seconds; the refresh token rotates (integrations keeps it).
Calendar events work for work and school accounts; personal accounts cannot host teamsForBusiness.
"""

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from bookings.models import Practitioner
from clinicpro.models import Clinic
from integrations.models import Connection
from integrations.selectors import active_connection
from integrations.vendors.client import usable

from ..base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from ..connected import missing_account
from .client import graph_api
from .vendor import MICROSOFT

PERSONAL_ACCOUNT_MESSAGE = (
    "This Microsoft account cannot host Teams meetings (personal Microsoft accounts cannot): "
    "connect a work or school account on the integrations page"
)
BODY_TEXT = "Online consultation booked through ClinicPro. Join with the link from your ClinicPro booking."


def graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def join_url_of(event: dict[str, Any]) -> str:
    online_meeting = event.get("onlineMeeting") or {}
    return str(online_meeting.get("joinUrl") or event.get("onlineMeetingUrl") or "")


def record_from(event: dict[str, Any]) -> MeetingRecord:
    join_url = join_url_of(event)
    # The organiser joins through the same link, signed in to Teams; there is no separate host link.
    return MeetingRecord(external_id=str(event["id"]), join_url=join_url, host_url=join_url, passcode="", raw=event)


class TeamsProvider(MeetingProvider):
    key = MICROSOFT.key
    label = MICROSOFT.meeting_label
    # Seconds between re-reads of an event whose Teams link is not there yet.
    join_link_waits: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0)

    @classmethod
    def is_usable(cls, *, clinic: Clinic, practitioner: Practitioner | None = None) -> tuple[bool, str]:
        if _teams_connection(practitioner) is None:
            return False, missing_account(MICROSOFT, practitioner).summary
        return True, ""

    def create(self, request: MeetingRequest) -> MeetingRecord:
        event = self._call("POST", "/me/events", json=self._new_event(request))
        if event.get("isOnlineMeeting") is False:
            # Graph made the event but left the meeting out: personal accounts cannot host teamsForBusiness.
            self._discard(str(event.get("id") or ""))
            raise MeetingProviderError(PERSONAL_ACCOUNT_MESSAGE, permanent=True)
        return record_from(self._with_join_link(event))

    def find(self, request: MeetingRequest) -> MeetingRecord | None:
        """The event an earlier POST with this transactionId made, if any (its answer may have been lost)."""
        found = self._call("GET", "/me/events", params={"$filter": f"transactionId eq '{request.idempotency_key}'"})
        events = [event for event in found.get("value") or [] if isinstance(event, dict) and event.get("id")]
        return record_from(self._with_join_link(events[0])) if events else None

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        changes = {"subject": request.title, "start": graph_time(request.starts_at), "end": graph_time(request.ends_at)}
        event = self._call("PATCH", f"/me/events/{record.external_id}", json=changes)
        updated = record_from(event) if event.get("id") else record
        return updated if updated.join_url else replace(record, raw=event or record.raw)

    def delete(self, record: MeetingRecord) -> None:
        try:
            self._call("DELETE", f"/me/events/{record.external_id}")
        except MeetingProviderError as exc:
            if exc.status_code not in (404, 410):
                raise

    # --- Helpers ---------------------------------------------------------------------------------

    def _discard(self, event_id: str) -> None:
        """Best effort: an event without its meeting must not linger on the practitioner's calendar."""
        if not event_id:
            return
        try:
            self._call("DELETE", f"/me/events/{event_id}")
        except MeetingProviderError:
            return

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        connection = _teams_connection(self.practitioner)
        if connection is None:
            raise missing_account(MICROSOFT, self.practitioner).error()
        return graph_api(connection).call(method, path, **kwargs)

    def _with_join_link(self, event: dict[str, Any]) -> dict[str, Any]:
        for wait in self.join_link_waits:
            if join_url_of(event):
                return event
            time.sleep(wait)
            event = self._call("GET", f"/me/events/{event['id']}")
        if join_url_of(event):
            return event
        raise MeetingProviderError("Microsoft has not attached the Teams link to the event yet.", retry_after=5)

    def _new_event(self, request: MeetingRequest) -> dict[str, Any]:
        event: dict[str, Any] = {
            # From the service, never the patient: the subject shows on the organiser's shared calendar.
            "subject": request.title,
            "body": {"contentType": "text", "content": BODY_TEXT},
            "start": graph_time(request.starts_at),
            "end": graph_time(request.ends_at),
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            "allowNewTimeProposals": False,
            "transactionId": request.idempotency_key,
        }
        patient_email = request.booking.patient.email
        if request.wants("send_provider_invites", False) and patient_email:
            event["attendees"] = [{"emailAddress": {"address": patient_email}, "type": "required"}]
        return event


def _teams_connection(practitioner: Practitioner | None) -> Connection | None:
    if practitioner is None:
        return None
    return usable(active_connection(practitioner=practitioner, provider=MICROSOFT.key))
