"""Graph calendar events with Teams meetings, and standalone online meetings.

https://learn.microsoft.com/graph/api/user-post-events
https://learn.microsoft.com/graph/api/application-post-onlinemeetings-createorget
"""

import base64
import random
import re
import secrets
import string
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Account, GraphEvent, GraphOnlineMeeting
from .errors import GraphError, item_not_found

GRAPH = "https://graph.microsoft.com/v1.0"
OUTLOOK = "https://outlook.office365.com"
PROVIDERS = ("teamsForBusiness", "skypeForBusiness", "skypeForConsumer", "unknown")
# Graph accepts Windows zone names as well as IANA ones.
WINDOWS_ZONES = {
    "UTC": "UTC",
    "E. Africa Standard Time": "Africa/Nairobi",
    "South Africa Standard Time": "Africa/Johannesburg",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
    "India Standard Time": "Asia/Kolkata",
}
WRITABLE = (
    "subject",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "attendees",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "showAs",
    "sensitivity",
    "importance",
    "categories",
    "isReminderOn",
    "reminderMinutesBeforeStart",
    "allowNewTimeProposals",
    "responseRequested",
)


def create_event(*, account: Account, body: dict[str, Any]) -> GraphEvent:
    """POST /me/events; a known transactionId answers with the event it created before."""
    transaction_id = str(body.get("transactionId") or "")
    if transaction_id:
        earlier = _by_transaction(account, transaction_id)
        if earlier is not None:
            return earlier
    fields = _validated(body, creating=True)
    now = timezone.now()
    event_id = "AAMkAG" + base64.urlsafe_b64encode(secrets.token_bytes(105)).decode().rstrip("=") + "="
    resource: dict[str, Any] = {
        "id": event_id,
        "createdDateTime": _graph_time(now),
        "categories": [],
        "transactionId": transaction_id or None,
        "iCalUId": "040000008200E00074C5B7101A82E008" + secrets.token_hex(28).upper(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": f"{OUTLOOK}/owa/?itemid={quote(event_id, safe='')}&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html", "content": ""},
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"},
        "locations": [],
        "attendees": [],
        "organizer": {"emailAddress": {"name": account.display_name, "address": account.email}},
        "onlineMeeting": None,
    }
    _apply(resource, fields, account)
    event = GraphEvent(account=account, event_id=event_id, transaction_id=transaction_id, resource=resource)
    _touch(event, now)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        # A concurrent retry with the same transactionId won the race: answer with its event.
        earlier = _by_transaction(account, transaction_id)
        if earlier is None:
            raise
        return earlier
    return event


TRANSACTION_FILTER = re.compile(r"^\s*transactionId\s+eq\s+'([^']*)'\s*$")


def list_events(*, account: Account, odata_filter: str) -> list[GraphEvent]:
    """GET /me/events; the only $filter understood is `transactionId eq '<id>'` (what our find asks)."""
    if not odata_filter:
        return list(GraphEvent.objects.filter(account=account, deleted_at__isnull=True).order_by("id")[:100])
    match = TRANSACTION_FILTER.match(odata_filter)
    if match is None:
        raise GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
    return list(
        GraphEvent.objects.filter(account=account, transaction_id=match.group(1), deleted_at__isnull=True).order_by(
            "id"
        )
    )


def get_event(*, account: Account, event_id: str) -> GraphEvent:
    return _event(account, event_id, lock=False)


def update_event(*, account: Account, event_id: str, body: dict[str, Any]) -> GraphEvent:
    fields = _validated(body, creating=False)
    with transaction.atomic():
        event = _event(account, event_id, lock=True)
        resource = dict(event.resource)
        _apply(resource, fields, account)
        if _instant(resource["end"]) < _instant(resource["start"]):
            raise GraphError(400, "ErrorInvalidRequest", "The end of the event must come after its start.")
        event.resource = resource
        _touch(event, timezone.now())
        event.save()
    return event


def delete_event(*, account: Account, event_id: str) -> None:
    with transaction.atomic():
        event = _event(account, event_id, lock=True)
        event.deleted_at = timezone.now()
        event.save(update_fields=["deleted_at"])


def event_resource(event: GraphEvent, prefer_zone: str | None) -> dict[str, Any]:
    """The event as Graph shows it: times in UTC unless `Prefer: outlook.timezone` names a zone."""
    resource = dict(event.resource)
    zone_name = prefer_zone or "UTC"
    zone = _zone(zone_name) or UTC
    for key in ("start", "end"):
        resource[key] = {"dateTime": _graph_clock(_instant(resource[key]), zone), "timeZone": zone_name}
    context = f"{GRAPH}/$metadata#users('{event.account.uid}')/events/$entity"
    return {"@odata.context": context, "@odata.etag": resource.pop("@odata.etag"), **resource}


def create_or_get_meeting(*, account: Account, body: dict[str, Any]) -> tuple[GraphOnlineMeeting, bool]:
    """POST /me/onlineMeetings/createOrGet: one meeting per externalId; (meeting, created)."""
    if is_personal(account):
        raise GraphError(403, "Forbidden", "Online meetings are available to work or school accounts only.")
    external_id = body.get("externalId")
    if not isinstance(external_id, str) or not external_id:
        raise GraphError(400, "BadRequest", "externalId is required.")
    existing = GraphOnlineMeeting.objects.filter(account=account, external_id=external_id, deleted_at__isnull=True)
    if (meeting := existing.first()) is not None:
        return meeting, False
    GraphOnlineMeeting.objects.filter(account=account, external_id=external_id).update(external_id="")
    meeting_id = "MSo" + base64.urlsafe_b64encode(secrets.token_bytes(60)).decode().rstrip("=")
    thread = f"19:meeting_{secrets.token_urlsafe(45)[:60]}@thread.v2"
    join_url = teams_join_url(thread, account)
    now = timezone.now()
    resource = {
        "id": meeting_id,
        "creationDateTime": _graph_time(now),
        "startDateTime": _optional_time(body.get("startDateTime"), "startDateTime") or _graph_time(now),
        "endDateTime": _optional_time(body.get("endDateTime"), "endDateTime") or _graph_time(now),
        "joinUrl": join_url,
        "joinWebUrl": join_url,
        "meetingCode": "".join(random.choices(string.digits, k=12)),
        "subject": body.get("subject") or "",
        "externalId": external_id,
        "isBroadcast": False,
        "autoAdmittedUsers": "everyoneInCompany",
        "allowedPresenters": "everyone",
        "allowMeetingChat": "enabled",
        "isEntryExitAnnounced": True,
        "videoTeleconferenceId": None,
        "audioConferencing": None,
        "participants": {
            "organizer": {
                "upn": account.email,
                "role": "presenter",
                "identity": {"user": {"id": account.uid, "displayName": None, "tenantId": account.organization}},
            },
            "attendees": (body.get("participants") or {}).get("attendees", []),
        },
        "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": False},
        "joinMeetingIdSettings": {
            "isPasscodeRequired": True,
            "joinMeetingId": "".join(random.choices(string.digits, k=13)),
            "passcode": "".join(random.choices(string.ascii_letters + string.digits, k=6)),
        },
        "chatInfo": {"threadId": thread, "messageId": "0", "replyChainMessageId": None},
    }
    try:
        with transaction.atomic():
            meeting = GraphOnlineMeeting.objects.create(
                account=account, meeting_id=meeting_id, external_id=external_id, resource=resource
            )
    except IntegrityError:
        return existing.get(), False
    return meeting, True


def get_meeting(*, account: Account, meeting_id: str) -> GraphOnlineMeeting:
    meeting = GraphOnlineMeeting.objects.filter(account=account, meeting_id=meeting_id, deleted_at__isnull=True).first()
    if meeting is None:
        raise GraphError(404, "NotFound", "The meeting was not found.")
    return meeting


def update_meeting(*, account: Account, meeting_id: str, body: dict[str, Any]) -> GraphOnlineMeeting:
    meeting = get_meeting(account=account, meeting_id=meeting_id)
    for key in ("startDateTime", "endDateTime"):
        if key in body:
            meeting.resource[key] = _optional_time(body[key], key)
    if "subject" in body:
        meeting.resource["subject"] = body["subject"] or ""
    meeting.save(update_fields=["resource"])
    return meeting


def delete_meeting(*, account: Account, meeting_id: str) -> None:
    meeting = get_meeting(account=account, meeting_id=meeting_id)
    meeting.deleted_at = timezone.now()
    meeting.save(update_fields=["deleted_at"])


def meeting_resource(meeting: GraphOnlineMeeting) -> dict[str, Any]:
    context = f"{GRAPH}/$metadata#users('{meeting.account.uid}')/onlineMeetings/$entity"
    return {"@odata.context": context, **meeting.resource}


def me_resource(account: Account) -> dict[str, Any]:
    given, _, surname = account.display_name.partition(" ")
    return {
        "@odata.context": f"{GRAPH}/$metadata#users/$entity",
        "businessPhones": [],
        "displayName": account.display_name,
        "givenName": given,
        "jobTitle": None,
        "mail": account.email,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": surname,
        "userPrincipalName": account.email,
        "id": account.uid,
    }


def teams_join_url(thread: str, account: Account) -> str:
    context = f'{{"Tid":"{account.organization}","Oid":"{account.uid}"}}'
    return f"https://teams.microsoft.com/l/meetup-join/{quote(thread, safe='')}/0?context={quote(context, safe='')}"


# Personal Microsoft accounts (outlook.com, hotmail.com, live.com...) share one directory, and their calendars
# cannot host teamsForBusiness meetings: Graph makes the event and quietly leaves the meeting out.
PERSONAL_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
PERSONAL_DOMAIN_NAMES = ("outlook", "hotmail", "live", "msn")


def is_personal(account: Account) -> bool:
    return account.organization == PERSONAL_TENANT


def _apply(resource: dict[str, Any], fields: dict[str, Any], account: Account) -> None:
    resource.update(fields)
    if is_personal(account) and resource.get("onlineMeetingProvider") == "teamsForBusiness":
        resource["isOnlineMeeting"] = False
        resource["onlineMeetingProvider"] = "unknown"
    if "start" in fields:
        resource["originalStartTimeZone"] = fields["start"]["timeZone"]
    if "end" in fields:
        resource["originalEndTimeZone"] = fields["end"]["timeZone"]
    if resource.get("isOnlineMeeting"):
        if resource.get("onlineMeetingProvider") in (None, "unknown"):
            resource["onlineMeetingProvider"] = "teamsForBusiness"
        if not resource.get("onlineMeeting"):
            thread = f"19:meeting_{secrets.token_urlsafe(45)[:60]}@thread.v2"
            join_url = teams_join_url(thread, account)
            resource["onlineMeeting"] = {
                "joinUrl": join_url,
                "conferenceId": "".join(random.choices(string.digits, k=9)),
                "tollNumber": "+1 323-555-0166",
            }
            # Outlook writes the join block into the body and names the location after Teams.
            content = (resource.get("body") or {}).get("content", "")
            resource["body"] = {
                "contentType": "html",
                "content": f'{content}<div><a href="{join_url}">Join the meeting now</a></div>',
            }
            resource["location"] = {"displayName": "Microsoft Teams Meeting", "locationType": "default"}
    resource["bodyPreview"] = _preview((resource.get("body") or {}).get("content", ""))


def _validated(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    fields = {key: body[key] for key in WRITABLE if key in body}
    for key in ("start", "end"):
        if key in fields:
            fields[key] = _date_time_zone(fields[key], key)
        elif creating:
            raise GraphError(400, "ErrorInvalidRequest", f"The {key} of the event is required.")
    if creating and _instant(fields["end"]) < _instant(fields["start"]):
        raise GraphError(400, "ErrorInvalidRequest", "The end of the event must come after its start.")
    provider = fields.get("onlineMeetingProvider")
    if provider is not None and provider not in PROVIDERS:
        raise GraphError(400, "BadRequest", f"Requested value '{provider}' was not found in onlineMeetingProviderType.")
    if "isOnlineMeeting" in fields and not isinstance(fields["isOnlineMeeting"], bool):
        raise GraphError(400, "BadRequest", "Invalid value for isOnlineMeeting.")
    return fields


def _date_time_zone(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("dateTime"):
        raise GraphError(400, "ErrorInvalidRequest", f"The {key} of the event is invalid.")
    zone_name = value.get("timeZone") or "UTC"
    if _zone(zone_name) is None:
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{zone_name}'.",
        )
    try:
        datetime.fromisoformat(str(value["dateTime"]))
    except ValueError:
        raise GraphError(400, "BadRequest", f"Cannot convert the literal '{value['dateTime']}' to DateTime.") from None
    return {"dateTime": str(value["dateTime"]), "timeZone": zone_name}


def _instant(value: dict[str, str]) -> datetime:
    """A {dateTime, timeZone} pair as an instant; an offset in dateTime wins over timeZone."""
    moment = datetime.fromisoformat(value["dateTime"])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(value.get("timeZone") or "UTC") or UTC)
    return moment.astimezone(UTC)


def _optional_time(value: Any, key: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise GraphError(400, "BadRequest", f"Cannot convert the literal '{value}' to DateTimeOffset.") from None
    return _graph_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _event(account: Account, event_id: str, *, lock: bool) -> GraphEvent:
    if not event_id.startswith("AAMk"):
        raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    events = GraphEvent.objects.filter(account=account, event_id=event_id, deleted_at__isnull=True)
    event = (events.select_for_update() if lock else events).first()
    if event is None:
        raise item_not_found()
    return event


def _by_transaction(account: Account, transaction_id: str) -> GraphEvent | None:
    earlier = GraphEvent.objects.filter(account=account, transaction_id=transaction_id).first()
    if earlier is not None and earlier.deleted_at is not None:
        # A deleted event frees its transactionId for a new one.
        GraphEvent.objects.filter(pk=earlier.pk).update(transaction_id="")
        return None
    return earlier


def _touch(event: GraphEvent, when: datetime) -> None:
    event.updated_at = when
    event.resource["lastModifiedDateTime"] = _graph_time(when)
    change_key = base64.b64encode(uuid.uuid4().bytes + secrets.token_bytes(4)).decode()
    event.resource["changeKey"] = change_key
    event.resource["@odata.etag"] = f'W/"{change_key}"'


def _preview(html: str) -> str:
    text, inside = [], False
    for char in html:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            text.append(char)
    return "".join(text).strip()[:255]


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def _graph_clock(moment: datetime, zone: Any) -> str:
    # Graph writes seven fractional digits and no offset; the zone travels in timeZone.
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"
