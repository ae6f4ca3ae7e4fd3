"""Google Meet: an event on the practitioner's primary Google calendar carrying a Meet conference.

Quirks this follows (https://developers.google.com/calendar/api/guides/create-events#conferencing):
- the conference request is silently ignored without conferenceDataVersion=1;
- a client-chosen event id makes insert idempotent: a retry after a lost answer gets 409 `duplicate`,
  and we then read the event we made;
- the conference may come back `pending`, without a join link yet: we read it again a few times;
- deleting twice answers 410, a wrong calendar 404: both mean the event is gone.
"""

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

import requests
from googleapiclient.discovery import Resource, build
from googleapiclient.errors import HttpError

from integrations.endpoints import provider_endpoints
from integrations.selectors import active_connection

from .base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from .connected import (
    VendorResponse,
    isoformat_z,
    parse_json,
    retry_after_seconds,
    send_provider_invites,
    transport_error,
    usable,
    with_fresh_token_on_401,
)
from .google_http import BearerHttp

VENDOR = "Google"
CALENDAR_ID = "primary"
CONNECT_HINT = "Connect Google on the integrations page"
DESCRIPTION = "Online consultation booked through ClinicPro. Join with the link from your ClinicPro booking."
# Google asks for exponential backoff on rate limits without saying how long; start here.
RATE_LIMIT_BACKOFF_SECONDS = 30.0


class _EventExists(MeetingProviderError):
    """409 duplicate: an event with our chosen id is already on the calendar."""


def event_id_for(idempotency_key: str) -> str:
    """A valid Calendar event id (base32hex: 0-9 and a-v, 5-1024 long), the same for every retry."""
    try:
        return uuid.UUID(idempotency_key).hex
    except ValueError:
        return hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def raise_for_response(response: VendorResponse) -> None:
    """Map a Calendar API answer onto MeetingProviderError; return quietly when it succeeded."""
    if response.ok:
        return
    status = response.status
    error = response.body.get("error") if isinstance(response.body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or f"HTTP {status}")
    reasons = {str(item.get("reason", "")) for item in error.get("errors") or [] if isinstance(item, dict)}
    retry_after = retry_after_seconds(response.header("Retry-After"))

    if status == 401:
        # Google's 401 message carries a help link; the reason is all a person needs.
        raise MeetingProviderError("Google refused the access token (authError).", reconnect=True, status_code=401)
    if status == 409 and "duplicate" in reasons:
        raise _EventExists(message, permanent=True, status_code=409)
    if (status == 403 and reasons & {"userRateLimitExceeded", "rateLimitExceeded"}) or status == 429:
        raise MeetingProviderError(
            f"Google rate limit: {message}", retry_after=retry_after or RATE_LIMIT_BACKOFF_SECONDS, status_code=status
        )
    if status == 403 and "quotaExceeded" in reasons:
        # Calendar usage limits last for hours: a late Meet link is worse than the clinic's fallback room now.
        raise MeetingProviderError(
            f"Google's calendar usage limit for this account is reached: {message}", permanent=True, status_code=403
        )
    if status == 403 and reasons & {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}:
        raise MeetingProviderError(
            f"The Google connection lacks calendar access: {message}", reconnect=True, status_code=403
        )
    if status == 400 and "conference type" in message.lower():
        raise MeetingProviderError(
            f"This Google calendar cannot host Google Meet ({message})", permanent=True, status_code=400
        )
    if status >= 500 or status in (408, 409):
        raise MeetingProviderError(f"Google answered {status}: {message}", retry_after=retry_after, status_code=status)
    raise MeetingProviderError(f"Google answered {status}: {message}", permanent=True, status_code=status)


def join_url_of(event: dict[str, Any]) -> str:
    """The video entry point's uri; hangoutLink is the older field carrying the same link."""
    conference = event.get("conferenceData") or {}
    for entry_point in conference.get("entryPoints") or []:
        if entry_point.get("entryPointType") == "video" and entry_point.get("uri"):
            return str(entry_point["uri"])
    return str(event.get("hangoutLink") or "")


def conference_status(event: dict[str, Any]) -> str:
    conference = event.get("conferenceData") or {}
    status = ((conference.get("createRequest") or {}).get("status") or {}).get("statusCode")
    if status:
        return str(status)
    return "success" if join_url_of(event) else ("" if not conference else "pending")


def record_from(event: dict[str, Any]) -> MeetingRecord:
    join_url = join_url_of(event)
    # Google has no separate host link: the organiser joins through the same URL, signed in.
    return MeetingRecord(external_id=str(event["id"]), join_url=join_url, host_url=join_url, passcode="", raw=event)


class GoogleMeetProvider(MeetingProvider):
    key = "google_meet"
    label = "Google Meet"
    # Seconds between re-reads of a `pending` conference; after the last one the task retries later.
    conference_waits: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0)

    def __init__(self, *, clinic: Any, practitioner: Any = None) -> None:
        super().__init__(clinic=clinic, practitioner=practitioner)
        self._http: BearerHttp | None = None
        self._calendar: Resource | None = None

    @classmethod
    def is_usable(cls, *, clinic: Any, practitioner: Any = None) -> tuple[bool, str]:
        if _usable_connection(practitioner) is None:
            return False, CONNECT_HINT
        return True, ""

    def create(self, request: MeetingRequest) -> MeetingRecord:
        event_id = event_id_for(request.idempotency_key)
        invites = send_provider_invites(self.clinic)
        body = self._new_event(request, event_id, invites=invites)
        try:
            event = self._execute(
                lambda events: events.insert(
                    calendarId=CALENDAR_ID,
                    body=body,
                    conferenceDataVersion=1,
                    sendUpdates="all" if invites else "none",
                )
            )
        except _EventExists:
            # An earlier attempt made it and its answer was lost: carry on with that event.
            event = self._get(event_id)
        return record_from(self._with_join_link(event))

    def find(self, request: MeetingRequest) -> MeetingRecord | None:
        try:
            event = self._get(event_id_for(request.idempotency_key))
        except MeetingProviderError as exc:
            if exc.status_code in (404, 410):
                return None
            raise
        if event.get("status") == "cancelled":
            return None
        return record_from(self._with_join_link(event))

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        invites = send_provider_invites(self.clinic)
        changes = {
            "start": {"dateTime": isoformat_z(request.starts_at), "timeZone": request.timezone},
            "end": {"dateTime": isoformat_z(request.ends_at), "timeZone": request.timezone},
            "summary": request.title,
        }
        event = self._execute(
            lambda events: events.patch(
                calendarId=CALENDAR_ID,
                eventId=record.external_id,
                body=changes,
                conferenceDataVersion=1,
                sendUpdates="all" if invites else "none",
            )
        )
        updated = record_from(event)
        return updated if updated.join_url else replace(record, raw=event)

    def delete(self, record: MeetingRecord) -> None:
        invites = send_provider_invites(self.clinic)
        try:
            self._execute(
                lambda events: events.delete(
                    calendarId=CALENDAR_ID, eventId=record.external_id, sendUpdates="all" if invites else "none"
                )
            )
        except MeetingProviderError as exc:
            if exc.status_code not in (404, 410):
                raise

    # --- Calls ---------------------------------------------------------------------------------

    def _get(self, event_id: str) -> dict[str, Any]:
        return self._execute(lambda events: events.get(calendarId=CALENDAR_ID, eventId=event_id))

    def _with_join_link(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event once its conference has a video entry point, reading it again while it is pending."""
        for wait in (*self.conference_waits, None):
            status = conference_status(event)
            if status == "failure":
                raise MeetingProviderError("Google could not create the Meet conference.", permanent=True)
            if status == "":
                raise MeetingProviderError("Google did not attach a Meet conference to the event.", permanent=True)
            if status != "pending" and join_url_of(event):
                return event
            if wait is None:
                break
            time.sleep(wait)
            event = self._get(str(event["id"]))
        raise MeetingProviderError("Google is still setting up the Meet conference.", retry_after=5)

    def _execute(self, make_request: Callable[[Resource], Any]) -> dict[str, Any]:
        connection = _usable_connection(self.practitioner)
        if connection is None:
            raise MeetingProviderError(CONNECT_HINT, reconnect=True)

        def call(access_token: str) -> dict[str, Any]:
            calendar = self._calendar_with(access_token)
            try:
                return make_request(calendar.events()).execute(num_retries=0) or {}
            except HttpError as exc:
                raise_for_response(
                    VendorResponse(status=exc.resp.status, body=parse_json(exc.content), headers=exc.resp)
                )
                raise  # raise_for_response always raises for an error status
            except requests.RequestException as exc:
                raise transport_error(exc, vendor=VENDOR) from exc

        return with_fresh_token_on_401(connection, vendor=VENDOR, call=call)

    def _calendar_with(self, access_token: str) -> Resource:
        # Building the client parses the bundled discovery document: do it once per provider instance.
        if self._calendar is None or self._http is None:
            self._http = BearerHttp(access_token)
            api_base = provider_endpoints("google").api_base
            self._calendar = build(
                "calendar",
                "v3",
                http=self._http,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": api_base.rstrip("/") + "/"},
            )
        self._http.access_token = access_token
        return self._calendar

    def _new_event(self, request: MeetingRequest, event_id: str, *, invites: bool) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": event_id,
            # Titles come from the service, never the patient (the event may be seen by calendar delegates).
            "summary": request.title,
            "description": DESCRIPTION,
            "start": {"dateTime": isoformat_z(request.starts_at), "timeZone": request.timezone},
            "end": {"dateTime": isoformat_z(request.ends_at), "timeZone": request.timezone},
            "conferenceData": {
                "createRequest": {
                    "requestId": request.idempotency_key,
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                }
            },
            "extendedProperties": {"private": {"clinicproMeeting": request.idempotency_key}},
            "guestsCanInviteOthers": False,
            "guestsCanSeeOtherGuests": False,
        }
        patient_email = getattr(getattr(request.booking, "patient", None), "email", "")
        if invites and patient_email:
            event["attendees"] = [{"email": patient_email}]
        return event


def _usable_connection(practitioner: Any) -> Any:
    if practitioner is None:
        return None
    return usable(active_connection(practitioner=practitioner, provider="google"))
