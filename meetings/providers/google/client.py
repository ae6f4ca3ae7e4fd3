"""The one Google Calendar client: events (with Meet conferences) and freeBusy, one error mapping.

google-api-python-client builds the requests; they travel over our outbound session
(`BearerHttp`), every answer is read by `errors.raise_for_response`, and a 401 earns
one forced token refresh and one retry.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from googleapiclient.discovery import Resource, build
from googleapiclient.errors import HttpError

from integrations.models import Connection
from integrations.vendors.client import with_fresh_token_on_401
from integrations.vendors.http import VendorResponse, parse_json, transport_error, utc_timestamp

from .http import BearerHttp
from .vendor import GOOGLE

CALENDAR_ID = "primary"


class GoogleCalendar:
    """Calls on one connected account's primary calendar."""

    def __init__(self, connection: Connection, *, session: requests.Session | None = None) -> None:
        self.connection = connection
        self._session = session
        self._http: BearerHttp | None = None
        self._calendar: Resource | None = None

    def insert_event(self, body: dict[str, Any], *, send_updates: str) -> dict[str, Any]:
        return self._execute(
            lambda calendar: calendar.events().insert(
                calendarId=CALENDAR_ID, body=body, conferenceDataVersion=1, sendUpdates=send_updates
            )
        )

    def get_event(self, event_id: str) -> dict[str, Any]:
        return self._execute(lambda calendar: calendar.events().get(calendarId=CALENDAR_ID, eventId=event_id))

    def patch_event(self, event_id: str, changes: dict[str, Any], *, send_updates: str) -> dict[str, Any]:
        return self._execute(
            lambda calendar: calendar.events().patch(
                calendarId=CALENDAR_ID,
                eventId=event_id,
                body=changes,
                conferenceDataVersion=1,
                sendUpdates=send_updates,
            )
        )

    def delete_event(self, event_id: str, *, send_updates: str) -> None:
        self._execute(
            lambda calendar: calendar.events().delete(
                calendarId=CALENDAR_ID, eventId=event_id, sendUpdates=send_updates
            )
        )

    def free_busy(self, start: datetime, end: datetime) -> dict[str, Any]:
        """The primary calendar's entry of a freeBusy answer: {"busy": [...]} or {"errors": [...]}."""
        body = {"timeMin": utc_timestamp(start), "timeMax": utc_timestamp(end), "items": [{"id": CALENDAR_ID}]}
        answer = self._execute(lambda calendar: calendar.freebusy().query(body=body))
        calendars = answer.get("calendars") if isinstance(answer, dict) else None
        entry = calendars.get(CALENDAR_ID) if isinstance(calendars, dict) else None
        return entry if isinstance(entry, dict) else {}

    def _execute(self, make_request: Callable[[Resource], Any]) -> dict[str, Any]:
        def call(access_token: str) -> dict[str, Any]:
            calendar = self._calendar_with(access_token)
            try:
                return make_request(calendar).execute(num_retries=0) or {}
            except HttpError as exc:
                GOOGLE.error_mapping(
                    VendorResponse(status=exc.resp.status, body=parse_json(exc.content), headers=exc.resp)
                )
                raise  # the error mapping always raises for an error status
            except requests.RequestException as exc:
                raise transport_error(exc, vendor=GOOGLE.label) from exc

        return with_fresh_token_on_401(self.connection, vendor=GOOGLE.label, call=call)

    def _calendar_with(self, access_token: str) -> Resource:
        # Building the client parses the bundled discovery document: do it once per instance.
        if self._calendar is None or self._http is None:
            self._http = BearerHttp(access_token, self._session)
            self._calendar = build(
                "calendar",
                "v3",
                http=self._http,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": GOOGLE.endpoints().api.rstrip("/") + "/"},
            )
        self._http.access_token = access_token
        return self._calendar
