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
from dataclasses import replace
from typing import Any, ClassVar

from bookings.models import Practitioner
from clinicpro.models import Clinic
from integrations.models import Connection
from integrations.selectors import active_connection
from integrations.vendors.client import usable
from integrations.vendors.http import utc_timestamp

from ..base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from ..connected import missing_account, send_provider_invites
from .client import GoogleCalendar
from .errors import EventExists
from .vendor import GOOGLE

DESCRIPTION = "Online consultation booked through ClinicPro. Join with the link from your ClinicPro booking."


def event_id_for(idempotency_key: str) -> str:
    """A valid Calendar event id (base32hex: 0-9 and a-v, 5-1024 long), the same for every retry."""
    try:
        return uuid.UUID(idempotency_key).hex
    except ValueError:
        return hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


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
    key = GOOGLE.key
    label = GOOGLE.meeting_label
    # Seconds between re-reads of a `pending` conference; after the last one the task retries later.
    conference_waits: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0)

    def __init__(self, *, clinic: Clinic, practitioner: Practitioner | None = None) -> None:
        super().__init__(clinic=clinic, practitioner=practitioner)
        self._client: GoogleCalendar | None = None

    @classmethod
    def is_usable(cls, *, clinic: Clinic, practitioner: Practitioner | None = None) -> tuple[bool, str]:
        if _usable_connection(practitioner) is None:
            return False, missing_account(GOOGLE, practitioner).summary
        return True, ""

    def create(self, request: MeetingRequest) -> MeetingRecord:
        event_id = event_id_for(request.idempotency_key)
        invites = request.wants("send_provider_invites", False)
        body = self._new_event(request, event_id, invites=invites)
        try:
            event = self._calendar().insert_event(body, send_updates=_send_updates(invites))
        except EventExists:
            # An earlier attempt made it and its answer was lost: carry on with that event.
            event = self._calendar().get_event(event_id)
        return record_from(self._with_join_link(event))

    def find(self, request: MeetingRequest) -> MeetingRecord | None:
        try:
            event = self._calendar().get_event(event_id_for(request.idempotency_key))
        except MeetingProviderError as exc:
            if exc.status_code in (404, 410):
                return None
            raise
        if event.get("status") == "cancelled":
            return None
        return record_from(self._with_join_link(event))

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        invites = request.wants("send_provider_invites", False)
        changes = {
            "start": {"dateTime": utc_timestamp(request.starts_at), "timeZone": request.timezone},
            "end": {"dateTime": utc_timestamp(request.ends_at), "timeZone": request.timezone},
            "summary": request.title,
        }
        event = self._calendar().patch_event(record.external_id, changes, send_updates=_send_updates(invites))
        updated = record_from(event)
        return updated if updated.join_url else replace(record, raw=event)

    def delete(self, record: MeetingRecord) -> None:
        invites = send_provider_invites(self.clinic)
        try:
            self._calendar().delete_event(record.external_id, send_updates=_send_updates(invites))
        except MeetingProviderError as exc:
            if exc.status_code not in (404, 410):
                raise

    # --- Calls ---------------------------------------------------------------------------------

    def _calendar(self) -> GoogleCalendar:
        connection = _usable_connection(self.practitioner)
        if connection is None:
            raise missing_account(GOOGLE, self.practitioner).error()
        if self._client is None or self._client.connection.pk != connection.pk:
            self._client = GoogleCalendar(connection)
        else:
            self._client.connection = connection
        return self._client

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
            event = self._calendar().get_event(str(event["id"]))
        raise MeetingProviderError("Google is still setting up the Meet conference.", retry_after=5)

    def _new_event(self, request: MeetingRequest, event_id: str, *, invites: bool) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": event_id,
            # Titles come from the service, never the patient (the event may be seen by calendar delegates).
            "summary": request.title,
            "description": DESCRIPTION,
            "start": {"dateTime": utc_timestamp(request.starts_at), "timeZone": request.timezone},
            "end": {"dateTime": utc_timestamp(request.ends_at), "timeZone": request.timezone},
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
        patient_email = request.booking.patient.email
        if invites and patient_email:
            event["attendees"] = [{"email": patient_email}]
        return event


def _send_updates(invites: bool) -> str:
    return "all" if invites else "none"


def _usable_connection(practitioner: Practitioner | None) -> Connection | None:
    if practitioner is None:
        return None
    return usable(active_connection(practitioner=practitioner, provider=GOOGLE.key))
