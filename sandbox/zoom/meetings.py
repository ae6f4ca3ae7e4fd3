"""Zoom meetings: validation, the meeting resource, the per-user daily cap, paging.

https://developers.zoom.us/docs/api/meetings/#tag/meetings
"""

import base64
import hashlib
import random
import re
import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from .. import world
from ..models import Account, Grant, ZoomDailyUsage, ZoomMeeting
from .errors import ZoomApiError, meeting_not_found, user_not_found, validation_failed

MEETING_TYPES = (1, 2, 3, 8)
PASSWORD = re.compile(r"^[A-Za-z0-9@\-_*]{1,10}$")
BOOLEAN_SETTINGS = (
    "host_video",
    "participant_video",
    "cn_meeting",
    "in_meeting",
    "join_before_host",
    "mute_upon_entry",
    "watermark",
    "use_pmi",
    "enforce_login",
    "waiting_room",
    "meeting_authentication",
    "private_meeting",
    "email_notification",
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "audio": "voip",
    "auto_recording": "none",
    "enforce_login": False,
    "waiting_room": False,
    "meeting_authentication": False,
    "private_meeting": False,
    "email_notification": True,
    "encryption_type": "enhanced_encryption",
}
LIST_FIELDS = ("uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone", "agenda", "created_at")


def caller_user(grant: Grant, user_id: str) -> Account:
    """The user a path's {userId} names, as the token's owner may see them."""
    account = grant.account
    if user_id in ("me", account.uid, account.email):
        return account
    if grant.kind == Grant.Kind.ACCOUNT:
        # A Server-to-Server app acts for every user of its Zoom account.
        member = Account.objects.filter(service="zoom", organization=account.organization)
        found = member.filter(uid=user_id).first() or member.filter(email=user_id.lower()).first()
        if found is None and "@" in user_id:
            found = world.account("zoom", user_id, organization=account.organization)
        if found is not None:
            return found
    raise user_not_found(user_id)


def user_resource(account: Account) -> dict[str, Any]:
    first, _, last = account.display_name.partition(" ")
    return {
        "id": account.uid,
        "first_name": first,
        "last_name": last,
        "display_name": account.display_name,
        "email": account.email,
        "type": 2,
        "role_name": "Owner",
        "pmi": 1_000_000_000 + int(hashlib.sha256(account.uid.encode()).hexdigest()[:8], 16) % 10**9,
        "use_pmi": False,
        "timezone": "UTC",
        "verified": 1,
        "created_at": _zoom_time(account.created_at),
        "language": "en-US",
        "status": "active",
        "account_id": account.organization,
    }


def create_meeting(*, account: Account, body: dict[str, Any]) -> ZoomMeeting:
    fields = _validated(body, creating=True)
    with transaction.atomic():
        _count_against_daily_cap(account)
        meeting_id = _new_meeting_id()
        now = timezone.now()
        password = fields.get("password") or _password()
        resource = {
            "uuid": base64.b64encode(uuid.uuid4().bytes).decode(),
            "id": meeting_id,
            "host_id": account.uid,
            "host_email": account.email,
            "topic": fields.get("topic", "Zoom Meeting"),
            "type": fields.get("type", 2),
            "status": "waiting",
            "start_time": _zoom_time(fields.get("start_time", now)),
            "duration": fields.get("duration", 60),
            "timezone": fields.get("timezone", "UTC"),
            "agenda": fields.get("agenda", ""),
            "created_at": _zoom_time(now),
            "join_url": f"https://zoom.us/j/{meeting_id}?pwd={secrets.token_urlsafe(24)}",
            "password": password,
            "h323_password": _digits(password),
            "pstn_password": _digits(password),
            "encrypted_password": secrets.token_urlsafe(24),
            "settings": _settings(DEFAULT_SETTINGS, fields.get("settings", {})),
            "pre_schedule": False,
        }
        return ZoomMeeting.objects.create(
            account=account, meeting_id=meeting_id, uuid=resource["uuid"], resource=resource
        )


def update_meeting(*, grant: Grant, meeting_id: str, body: dict[str, Any]) -> None:
    fields = _validated(body, creating=False)
    with transaction.atomic():
        meeting = _visible(grant, meeting_id, lock=True)
        _count_against_daily_cap(meeting.account)
        resource = meeting.resource
        for key in ("topic", "type", "duration", "timezone", "agenda", "password"):
            if key in fields:
                resource[key] = fields[key]
        if "start_time" in fields:
            resource["start_time"] = _zoom_time(fields["start_time"])
        if "settings" in fields:
            resource["settings"] = _settings(resource["settings"], fields["settings"])
        meeting.resource = resource
        meeting.updated_at = timezone.now()
        meeting.save()


def delete_meeting(*, grant: Grant, meeting_id: str) -> None:
    with transaction.atomic():
        meeting = _visible(grant, meeting_id, lock=True)
        meeting.deleted_at = timezone.now()
        meeting.save(update_fields=["deleted_at"])


def get_meeting(*, grant: Grant, meeting_id: str) -> dict[str, Any]:
    return meeting_resource(_visible(grant, meeting_id, lock=False))


def meeting_resource(meeting: ZoomMeeting) -> dict[str, Any]:
    """The meeting with a start URL minted now: its zak token is short-lived, so hosts fetch it fresh."""
    start_url = f"https://zoom.us/s/{meeting.meeting_id}?zak={secrets.token_urlsafe(96)}"
    return {**meeting.resource, "start_url": start_url}


def list_meetings(*, account: Account, params: dict[str, str]) -> dict[str, Any]:
    page_size = _int_param(params.get("page_size"), default=30, low=1, high=300)
    offset = _page_offset(params.get("next_page_token", ""))
    meetings: list[ZoomMeeting] = list(
        ZoomMeeting.objects.filter(account=account, deleted_at__isnull=True).order_by("id")
    )
    kind = params.get("type", "scheduled")
    if kind in ("upcoming", "upcoming_meetings"):
        now = timezone.now()
        meetings = [m for m in meetings if _ends_at(m) >= now]
    elif kind == "previous_meetings":
        now = timezone.now()
        meetings = [m for m in meetings if _ends_at(m) < now]
    elif kind == "live":
        meetings = []
    rows = list(meetings)
    page = rows[offset : offset + page_size]
    next_offset = offset + page_size
    return {
        "page_size": page_size,
        "total_records": len(rows),
        "next_page_token": _page_token(next_offset) if next_offset < len(rows) else "",
        "meetings": [
            {**{key: m.resource.get(key) for key in LIST_FIELDS}, "join_url": m.resource["join_url"]} for m in page
        ],
    }


def daily_cap_message(limit: int) -> str:
    return (
        f"You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests permitted for "
        "this particular user. You may resume these requests at GMT 00:00:00."
    )


def _count_against_daily_cap(account: Account) -> None:
    """Count one create/update call for today (UTC); refuse once the user's cap is reached."""
    day = timezone.now().astimezone(UTC).date()
    ZoomDailyUsage.objects.get_or_create(account=account, day=day)
    usage = ZoomDailyUsage.objects.select_for_update().get(account=account, day=day)
    if usage.calls >= account.daily_meeting_limit:
        raise DailyCapReached(account.daily_meeting_limit)
    usage.calls += 1
    usage.save(update_fields=["calls"])


class DailyCapReached(ZoomApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(429, 429, daily_cap_message(limit))

    @staticmethod
    def resets_at() -> datetime:
        tomorrow = timezone.now().astimezone(UTC).date() + timedelta(days=1)
        return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC)


def _visible(grant: Grant, meeting_id: str, *, lock: bool) -> ZoomMeeting:
    if not meeting_id.isdigit():
        raise meeting_not_found(meeting_id)
    meetings = ZoomMeeting.objects.select_related("account").filter(meeting_id=int(meeting_id), deleted_at__isnull=True)
    if lock:
        meetings = meetings.select_for_update()
    meeting = meetings.first()
    if meeting is None or not _may_see(grant, meeting.account):
        raise meeting_not_found(meeting_id)
    return meeting


def _may_see(grant: Grant, host: Account) -> bool:
    if grant.kind == Grant.Kind.ACCOUNT:
        return host.organization == grant.account.organization
    return host.pk == grant.account_id


def _validated(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    fields: dict[str, Any] = {}

    def bad(field: str, message: str = "Invalid field.") -> None:
        errors.append({"field": field, "message": message})

    if "topic" in body:
        if not isinstance(body["topic"], str) or len(body["topic"]) > 200:
            bad("topic")
        else:
            fields["topic"] = body["topic"]
    if "agenda" in body:
        if not isinstance(body["agenda"], str) or len(body["agenda"]) > 2000:
            bad("agenda")
        else:
            fields["agenda"] = body["agenda"]
    if "type" in body:
        if body["type"] not in MEETING_TYPES:
            bad("type")
        else:
            fields["type"] = body["type"]
    if "duration" in body:
        if not isinstance(body["duration"], int) or isinstance(body["duration"], bool) or body["duration"] < 0:
            bad("duration")
        else:
            fields["duration"] = body["duration"]
    zone_name = body.get("timezone") or "UTC"
    if "timezone" in body:
        if _zone(zone_name) is None:
            bad("timezone")
        else:
            fields["timezone"] = zone_name
    if "start_time" in body:
        moment = _start_time(body["start_time"], _zone(zone_name) or UTC)
        if moment is None:
            bad("start_time")
        else:
            fields["start_time"] = moment
    if "password" in body:
        if not isinstance(body["password"], str) or not PASSWORD.match(body["password"]):
            bad("password", "Password must be at most 10 characters and contain only [a-z A-Z 0-9 @ - _ *].")
        else:
            fields["password"] = body["password"]
    if "settings" in body:
        settings = body["settings"]
        if not isinstance(settings, dict):
            bad("settings")
        else:
            for key in BOOLEAN_SETTINGS:
                if key in settings and not isinstance(settings[key], bool):
                    bad(f"settings.{key}")
            fields["settings"] = settings
    if errors:
        raise validation_failed(errors)
    return fields


def _settings(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **{k: v for k, v in changes.items() if k in DEFAULT_SETTINGS}}
    # With the waiting room on, Zoom turns join-before-host off.
    if merged.get("waiting_room"):
        merged["join_before_host"] = False
    return merged


def _start_time(value: Any, zone: tzinfo) -> datetime | None:
    """Zoom reads "...Z" as UTC and a time without offset in the meeting's timezone."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _ends_at(meeting: ZoomMeeting) -> datetime:
    start = datetime.fromisoformat(meeting.resource["start_time"])
    return start + timedelta(minutes=meeting.resource.get("duration") or 0)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zoom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_meeting_id() -> int:
    while True:
        candidate = random.randint(80_000_000_000, 99_999_999_999)
        if not ZoomMeeting.objects.filter(meeting_id=candidate).exists():
            return candidate


def _password() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=6))


def _digits(password: str) -> str:
    return "".join(str(ord(c) % 10) for c in password)


def _int_param(raw: str | None, *, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise validation_failed([{"field": "page_size", "message": "Invalid field."}]) from None
    return min(max(value, low), high)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str) -> int:
    if not token:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return max(int(decoded.removeprefix("offset:")), 0)
    except (ValueError, UnicodeDecodeError):
        raise ZoomApiError(400, 300, "Invalid next_page_token.") from None
