"""Calendar v3 semantics: events on an account's primary calendar, Meet conferences, freeBusy.

https://developers.google.com/calendar/api/v3/reference/events
"""

import base64
import random
import re
import string
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Account, GoogleBusyBlock, GoogleEvent
from .errors import GoogleApiError, deleted, invalid, not_found

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
SEND_UPDATES = ("all", "externalOnly", "none")
GOOGLE_MAIL_DOMAINS = ("gmail.com", "googlemail.com", "gmail.test")
MEET_ICON = (
    "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
)
# Fields the server owns; a client cannot set them through insert or patch.
READ_ONLY = {"kind", "etag", "htmlLink", "created", "updated", "creator", "organizer", "iCalUID", "hangoutLink"}


def check_calendar(account: Account, calendar_id: str) -> None:
    if calendar_id not in ("primary", account.email):
        raise not_found()


def conference_version(raw: str | None) -> int:
    if raw in (None, ""):
        return 0
    if raw not in ("0", "1"):
        raise invalid(f"Invalid conferenceDataVersion value: {raw}")
    return int(raw)


def send_updates(raw: str | None) -> str:
    if raw in (None, ""):
        return "none"
    if raw not in SEND_UPDATES:
        raise GoogleApiError(400, "invalidParameter", f"Invalid value '{raw}'. Values must be one of {SEND_UPDATES}.")
    return raw


def insert_event(
    *,
    account: Account,
    body: dict[str, Any],
    conference_version: int,
    send_updates: str,
    pending_reads: int | None,
    meet_allowed: bool = True,
    conference_fails: bool = False,
) -> GoogleEvent:
    event_id = body.get("id") or base64.b32hexencode(uuid.uuid4().bytes).decode().lower().rstrip("=")
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise invalid("Invalid resource id value.")
    starts_at, ends_at = _times(body)
    now = timezone.now()
    resource = {key: value for key, value in body.items() if key not in READ_ONLY | {"conferenceData", "id"}}
    resource.update(
        {
            "kind": "calendar#event",
            "id": event_id,
            "status": body.get("status", "confirmed"),
            "htmlLink": _html_link(event_id, account.email),
            "created": _rfc3339(now),
            "creator": {"email": account.email, "self": True},
            "organizer": {"email": account.email, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "reminders": body.get("reminders", {"useDefault": True}),
            "eventType": body.get("eventType", "default"),
        }
    )
    event = GoogleEvent(account=account, event_id=event_id, resource=resource, starts_at=starts_at, ends_at=ends_at)
    if conference_version == 1:
        _request_conference(event, body.get("conferenceData"), pending_reads, meet_allowed=meet_allowed)
        if conference_fails:
            _conference_failed(event)
    _touch(event, now)
    _mail(event, send_updates, "REQUEST")
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        raise GoogleApiError(409, "duplicate", "The requested identifier already exists.") from None
    return event


def read_event(*, account: Account, event_id: str) -> GoogleEvent:
    """The event as a client reads it; a pending conference moves one read closer to ready."""
    with transaction.atomic():
        event = _locked(account, event_id)
        if event.pending_reads is not None:
            if event.pending_reads > 0:
                event.pending_reads -= 1
            else:
                _conference_ready(event)
            event.save()
    return event


def patch_event(
    *, account: Account, event_id: str, body: dict[str, Any], conference_version: int, send_updates: str
) -> GoogleEvent:
    with transaction.atomic():
        event = _locked(account, event_id)
        if event.deleted_at is not None:
            raise deleted()
        changes = {key: value for key, value in body.items() if key not in READ_ONLY | {"conferenceData", "id"}}
        merged = _merge(event.resource, changes)
        if "start" in body or "end" in body:
            event.starts_at, event.ends_at = _times(merged)
            merged["sequence"] = merged.get("sequence", 0) + 1
        event.resource = merged
        # Without conferenceDataVersion=1 conference changes are silently ignored, as on insert.
        if conference_version == 1 and "conferenceData" in body:
            _request_conference(event, body.get("conferenceData"), None)
        _touch(event, timezone.now())
        _mail(event, send_updates, "REQUEST")
        event.save()
    return event


def delete_event(*, account: Account, event_id: str, send_updates: str) -> None:
    with transaction.atomic():
        event = _locked(account, event_id)
        if event.deleted_at is not None:
            raise deleted()
        event.deleted_at = timezone.now()
        event.resource["status"] = "cancelled"
        _touch(event, event.deleted_at)
        _mail(event, send_updates, "CANCEL")
        event.save()


def free_busy(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """calendars.<id>.busy: merged busy periods of the caller's calendar within [timeMin, timeMax)."""
    for name in ("timeMin", "timeMax"):
        if not body.get(name):
            raise GoogleApiError(400, "required", f"Missing {name} parameter.")
    time_min, time_max = _instant(body["timeMin"]), _instant(body["timeMax"])
    if time_min is None or time_max is None:
        raise GoogleApiError(400, "badRequest", "Bad Request")
    if time_max <= time_min:
        raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    zone = _zone(body.get("timeZone") or "UTC")
    if zone is None:
        raise GoogleApiError(400, "invalid", "Invalid time zone definition.")
    calendars: dict[str, Any] = {}
    for item in body.get("items") or []:
        calendar_id = (item or {}).get("id", "")
        if calendar_id in ("primary", account.email):
            periods = _busy_periods(account, time_min, time_max)
            calendars[calendar_id] = {"busy": [{"start": _clock(s, zone), "end": _clock(e, zone)} for s, e in periods]}
        else:
            calendars[calendar_id] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
    return {
        "kind": "calendar#freeBusy",
        "timeMin": _rfc3339(time_min),
        "timeMax": _rfc3339(time_max),
        "calendars": calendars,
    }


def _busy_periods(account: Account, time_min: datetime, time_max: datetime) -> list[tuple[datetime, datetime]]:
    events = GoogleEvent.objects.filter(
        account=account, deleted_at__isnull=True, starts_at__lt=time_max, ends_at__gt=time_min
    )
    periods = [
        (e.starts_at, e.ends_at)
        for e in events
        if e.resource.get("transparency") != "transparent" and e.resource.get("status") != "cancelled"
    ]
    blocks = GoogleBusyBlock.objects.filter(account=account, starts_at__lt=time_max, ends_at__gt=time_min)
    periods += [(b.starts_at, b.ends_at) for b in blocks]
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted((max(s, time_min), min(e, time_max)) for s, e in periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _locked(account: Account, event_id: str) -> GoogleEvent:
    event = GoogleEvent.objects.select_for_update().filter(account=account, event_id=event_id).first()
    if event is None:
        raise not_found()
    return event


def _request_conference(
    event: GoogleEvent, conference: Any, pending_reads: int | None, *, meet_allowed: bool = True
) -> None:
    create = (conference or {}).get("createRequest") if isinstance(conference, dict) else None
    if not create:
        return
    key_type = (create.get("conferenceSolutionKey") or {}).get("type")
    if key_type != "hangoutsMeet" or not meet_allowed:
        raise invalid("Invalid conference type value.")
    current = (event.resource.get("conferenceData") or {}).get("createRequest") or {}
    if current.get("requestId") and current.get("requestId") == create.get("requestId"):
        return  # the same request again changes nothing
    event.resource["conferenceData"] = {
        "createRequest": {
            "requestId": create.get("requestId", ""),
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "pending"},
        }
    }
    event.resource.pop("hangoutLink", None)
    if pending_reads is None:
        _conference_ready(event)
    else:
        event.pending_reads = pending_reads


def _conference_failed(event: GoogleEvent) -> None:
    """The conference could not be made: the event stays, without entry points, its request marked failure."""
    data = event.resource.get("conferenceData")
    if not data:
        return
    data["createRequest"]["status"] = {"statusCode": "failure"}
    event.resource.pop("hangoutLink", None)
    event.pending_reads = None


def _conference_ready(event: GoogleEvent) -> None:
    code = "-".join("".join(random.choices(string.ascii_lowercase, k=n)) for n in (3, 4, 3))
    pin = "".join(random.choices(string.digits, k=9))
    request = event.resource["conferenceData"]["createRequest"]
    request["status"] = {"statusCode": "success"}
    event.resource["conferenceData"] = {
        "createRequest": request,
        "entryPoints": [
            {"entryPointType": "video", "uri": f"https://meet.google.com/{code}", "label": f"meet.google.com/{code}"},
            {
                "entryPointType": "phone",
                "uri": "tel:+1-929-555-0147",
                "label": "+1 929-555-0147",
                "pin": pin,
                "regionCode": "US",
            },
            {"entryPointType": "more", "uri": f"https://tel.meet/{code}?pin={pin}", "pin": pin},
        ],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet", "iconUri": MEET_ICON},
        "conferenceId": code,
    }
    event.resource["hangoutLink"] = f"https://meet.google.com/{code}"
    event.pending_reads = None


def _mail(event: GoogleEvent, send_updates: str, method: str) -> None:
    """Record the invitation mails Google would send to guests."""
    if send_updates == "none":
        return
    organizer = event.account.email
    for attendee in event.resource.get("attendees") or []:
        email = (attendee or {}).get("email", "")
        if not email or email == organizer:
            continue
        if send_updates == "externalOnly" and email.rsplit("@", 1)[-1] in GOOGLE_MAIL_DOMAINS:
            continue
        event.mails.append({"email": email, "method": method, "at": _rfc3339(timezone.now())})


def _times(resource: dict[str, Any]) -> tuple[datetime, datetime]:
    if not resource.get("start"):
        raise GoogleApiError(400, "required", "Missing start time.")
    if not resource.get("end"):
        raise GoogleApiError(400, "required", "Missing end time.")
    starts_at = _event_time(resource["start"], "start")
    ends_at = _event_time(resource["end"], "end")
    if ends_at < starts_at:
        raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    return starts_at, ends_at


def _event_time(value: Any, which: str) -> datetime:
    if not isinstance(value, dict):
        raise invalid(f"Invalid {which} time.")
    zone_name = value.get("timeZone")
    zone = _zone(zone_name) if zone_name else None
    if zone_name and zone is None:
        raise invalid(f"Invalid time zone definition for {which} time.")
    if value.get("date") and not value.get("dateTime"):
        try:
            day = datetime.fromisoformat(value["date"])
        except (TypeError, ValueError):
            raise invalid(f"Invalid {which} time.") from None
        return day.replace(tzinfo=zone or UTC).astimezone(UTC)
    try:
        moment = datetime.fromisoformat(str(value.get("dateTime", "")))
    except ValueError:
        raise invalid(f"Invalid {which} time.") from None
    if moment.tzinfo is None:
        if zone is None:
            raise GoogleApiError(400, "timeZoneMissing", f"Missing time zone definition for {which} time.")
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: objects merge field by field, arrays and scalars replace."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _touch(event: GoogleEvent, when: datetime) -> None:
    event.updated_at = when
    event.resource["updated"] = _rfc3339(when)
    event.resource["etag"] = f'"{int(when.timestamp() * 1000)}000"'


def _html_link(event_id: str, email: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {email}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    if zone.key == "UTC":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(zone).isoformat(timespec="seconds")
