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

from clinicpro.http import http_session
from integrations.endpoints import provider_endpoints
from integrations.selectors import active_connection

from .base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from .connected import VendorResponse, call_json, retry_after_seconds, send_provider_invites, usable

VENDOR = "Microsoft"
CONNECT_HINT = "Connect Microsoft on the integrations page"
BODY_TEXT = "Online consultation booked through ClinicPro. Join with the link from your ClinicPro booking."
# Ask Graph to speak UTC back to us, whatever the mailbox's own zone.
PREFER_UTC = {"Prefer": 'outlook.timezone="UTC"'}


def raise_for_response(response: VendorResponse) -> None:
    """Map a Graph answer onto MeetingProviderError; return quietly when it succeeded."""
    if response.ok:
        return
    status = response.status
    error = response.body.get("error") if isinstance(response.body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    detail = f"Microsoft Graph answered {status}" + (f" ({code})" if code else "") + f": {error.get('message') or ''}"

    if status == 401:
        # InvalidAuthenticationToken: expired, revoked or malformed access token.
        raise MeetingProviderError(detail, reconnect=True, status_code=401)
    if status == 429 or status >= 500 or status in (408, 409, 412):
        raise MeetingProviderError(
            detail, retry_after=retry_after_seconds(response.header("Retry-After")), status_code=status
        )
    # 400 invalid request, 403 access denied, 404 ErrorItemNotFound: the same call fails again.
    raise MeetingProviderError(detail, permanent=True, status_code=status)


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
    key = "teams"
    label = "Microsoft Teams"
    # Seconds between re-reads of an event whose Teams link is not there yet.
    join_link_waits: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0)

    def __init__(self, *, clinic: Any, practitioner: Any = None) -> None:
        super().__init__(clinic=clinic, practitioner=practitioner)
        self._session = http_session()

    @classmethod
    def is_usable(cls, *, clinic: Any, practitioner: Any = None) -> tuple[bool, str]:
        if _teams_connection(practitioner) is None:
            return False, CONNECT_HINT
        return True, ""

    def create(self, request: MeetingRequest) -> MeetingRecord:
        event = self._call("POST", "/me/events", json=self._new_event(request))
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

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        connection = _teams_connection(self.practitioner)
        if connection is None:
            raise MeetingProviderError(CONNECT_HINT, reconnect=True)
        base = provider_endpoints("microsoft").api_base.rstrip("/")
        body = call_json(
            connection,
            vendor=VENDOR,
            session=self._session,
            method=method,
            url=base + path,
            raise_for_response=raise_for_response,
            headers=PREFER_UTC,
            **kwargs,
        )
        return body if isinstance(body, dict) else {}

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
        patient_email = getattr(getattr(request.booking, "patient", None), "email", "")
        if send_provider_invites(self.clinic) and patient_email:
            event["attendees"] = [{"emailAddress": {"address": patient_email}, "type": "required"}]
        return event


def _teams_connection(practitioner: Any) -> Any:
    if practitioner is None:
        return None
    return usable(active_connection(practitioner=practitioner, provider="microsoft"))
