"""Zoom: a scheduled meeting for the practitioner's own Zoom user, or the clinic's Server-to-Server account.

Quirks this follows (https://developers.zoom.us/docs/api/meetings/):
- there is no idempotency key: the meeting's key goes into the agenda, and `find` looks for it
  among the user's upcoming meetings before anything is created again;
- PATCH answers 204 with an empty body; deleting an unknown meeting answers 404 code 3001;
- an expired or invalid token answers 401 code 124;
- 429 carries Retry-After as seconds or as an HTTP date;
- at most 100 create/update calls per user per UTC day: counted here, so we stop before Zoom does;
- the host's start_url holds a token that expires about 2 hours after it is minted: fetched fresh at join time.
"""

import secrets
import string
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from bookings.models import Practitioner
from clinicpro.models import Clinic
from integrations.models import Connection
from integrations.selectors import active_connection, clinic_connection, current_clinic_connection
from integrations.vendors.client import usable
from integrations.vendors.http import utc_timestamp

from ..base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from ..connected import MissingAccount, missing_account
from .client import zoom_api
from .errors import daily_limit_message
from .vendor import ZOOM

SCHEDULED_MEETING = 2
# Zoom's list endpoint pages at 300 at most; a practitioner with more upcoming meetings than this is unusual.
LIST_PAGE_SIZE = 300
MAX_LIST_PAGES = 10
PASSCODE_LENGTH = 10
_DAY_SECONDS = 24 * 60 * 60
# The meeting's idempotency key, written into the agenda where `find` can see it again.
MARKER_PREFIX = "clinicpro-meeting:"


def marker_for(idempotency_key: str) -> str:
    return f"{MARKER_PREFIX}{idempotency_key}"


def new_passcode() -> str:
    """Letters and digits (both present), within Zoom's 10-character passcode limit."""
    alphabet = string.ascii_letters + string.digits
    while True:
        passcode = "".join(secrets.choice(alphabet) for _ in range(PASSCODE_LENGTH))
        if any(c.isdigit() for c in passcode) and any(c.isalpha() for c in passcode):
            return passcode


def record_from(meeting: dict[str, Any]) -> MeetingRecord:
    # start_url carries the host's token: kept as the host link only, never in the raw copy.
    raw = {key: value for key, value in meeting.items() if key != "start_url"}
    return MeetingRecord(
        external_id=str(meeting["id"]),
        join_url=str(meeting.get("join_url") or ""),
        host_url=str(meeting.get("start_url") or ""),
        passcode=str(meeting.get("password") or ""),
        raw=raw,
    )


def duration_minutes(request: MeetingRequest) -> int:
    return max(int((request.ends_at - request.starts_at).total_seconds() // 60), 1)


class ZoomProvider(MeetingProvider):
    key = ZOOM.key
    label = ZOOM.meeting_label

    @classmethod
    def is_usable(cls, *, clinic: Clinic, practitioner: Practitioner | None = None) -> tuple[bool, str]:
        if _zoom_connection(clinic, practitioner) is None:
            return False, _missing_zoom(clinic, practitioner).summary
        return True, ""

    def create(self, request: MeetingRequest) -> MeetingRecord:
        connection = self._connection()
        self._count_meeting_call(connection)
        meeting = self._call(connection, "POST", "/users/me/meetings", json=self._new_meeting(request))
        return record_from(meeting)

    def find(self, request: MeetingRequest) -> MeetingRecord | None:
        connection = self._connection()
        marker = marker_for(request.idempotency_key)
        for meeting in self._upcoming_meetings(connection):
            if marker in str(meeting.get("agenda") or ""):
                # The list leaves out the passcode and start_url: read the meeting itself.
                return record_from(self._call(connection, "GET", f"/meetings/{meeting['id']}"))
        return None

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        connection = self._connection()
        self._count_meeting_call(connection)
        changes = {
            "topic": request.title,
            "start_time": utc_timestamp(request.starts_at),
            "duration": duration_minutes(request),
            "timezone": request.timezone,
        }
        self._call(connection, "PATCH", f"/meetings/{record.external_id}", json=changes)
        # The join link and passcode survive a PATCH; only the time moved.
        return replace(record, raw={**record.raw, **changes})

    def delete(self, record: MeetingRecord) -> None:
        connection = self._connection()
        try:
            self._call(connection, "DELETE", f"/meetings/{record.external_id}")
        except MeetingProviderError as exc:
            if exc.status_code != 404:
                raise

    def host_url(self, record: MeetingRecord) -> str:
        meeting = self._call(self._connection(), "GET", f"/meetings/{record.external_id}")
        return str(meeting.get("start_url") or record.host_url)

    # --- Helpers ---------------------------------------------------------------------------------

    def _connection(self) -> Connection:
        connection = _zoom_connection(self.clinic, self.practitioner)
        if connection is None:
            raise _missing_zoom(self.clinic, self.practitioner).error()
        return connection

    def _call(self, connection: Connection, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return zoom_api(connection).call(method, path, **kwargs)

    def _upcoming_meetings(self, connection: Connection) -> list[dict[str, Any]]:
        meetings: list[dict[str, Any]] = []
        params: dict[str, Any] = {"type": "upcoming", "page_size": LIST_PAGE_SIZE}
        for _page in range(MAX_LIST_PAGES):
            page = self._call(connection, "GET", "/users/me/meetings", params=params)
            meetings.extend(m for m in page.get("meetings") or [] if isinstance(m, dict))
            next_token = page.get("next_page_token")
            if not next_token:
                break
            params = {**params, "next_page_token": next_token}
        return meetings

    def _count_meeting_call(self, connection: Connection) -> None:
        """Count a create/update against Zoom's per-user daily cap, refusing once it is reached.

        Counted before the call, so a lost answer still counts, as it does at Zoom.
        """
        limit = settings.ZOOM_DAILY_MEETING_LIMIT
        key = f"meetings:zoom-daily-calls:{connection.pk}:{datetime.now(UTC).date().isoformat()}"
        cache.add(key, 0, timeout=_DAY_SECONDS + 3600)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, used := 1, timeout=_DAY_SECONDS + 3600)
        if used > limit:
            raise MeetingProviderError(daily_limit_message(), permanent=True)

    def _new_meeting(self, request: MeetingRequest) -> dict[str, Any]:
        meeting: dict[str, Any] = {
            # From the service, never the patient: Zoom shows the topic to everyone who joins.
            "topic": request.title,
            "type": SCHEDULED_MEETING,
            "start_time": utc_timestamp(request.starts_at),
            "duration": duration_minutes(request),
            "timezone": request.timezone,
            "agenda": f"Online consultation booked through ClinicPro.\n{marker_for(request.idempotency_key)}",
            "password": new_passcode(),
            "settings": {
                "waiting_room": request.wants("waiting_room", True),
                "join_before_host": False,
                "mute_upon_entry": True,
            },
        }
        return meeting


def _zoom_connection(clinic: Clinic | None, practitioner: Practitioner | None) -> Connection | None:
    """The practitioner's own Zoom user first, else the clinic's Server-to-Server account."""
    if practitioner is not None:
        own = usable(active_connection(practitioner=practitioner, provider=ZOOM.key))
        if own is not None:
            return own
    return usable(clinic_connection(clinic, provider=ZOOM.key)) if clinic is not None else None


def _missing_zoom(clinic: Clinic | None, practitioner: Practitioner | None) -> MissingAccount:
    """Neither the practitioner's own Zoom nor the clinic's account can host: say which needs what."""
    own = missing_account(ZOOM, practitioner)
    if own.reconnect:
        return own
    if clinic is not None and current_clinic_connection(clinic, provider=ZOOM.key) is not None:
        return MissingAccount(
            summary="the clinic's Zoom account needs reconnecting",
            sentence="The clinic's Zoom account needs reconnecting",
            reconnect=True,
        )
    return MissingAccount(
        summary=f"{own.summary} and no clinic Zoom account",
        sentence=f"{own.sentence} and the clinic has no Zoom account",
    )
