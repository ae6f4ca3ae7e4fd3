"""Twilio's Messages API: /2010-04-01/Accounts/{AccountSid}/Messages.json (Basic auth).

POST sends (form-encoded). Validates like Twilio: 21211 invalid To, 21212 a From
the account does not own, 21610 a recipient who replied STOP (numbers ending in
9999), 63016 WhatsApp free text outside the 24-hour window, 21655 an unknown
ContentSid. Accepted messages answer 201 `queued`, then become `sent` (with a
date_sent) and `delivered` (`undelivered` with 30003 for numbers ending in
0000); the StatusCallback hears each, signed with X-Twilio-Signature under the
account's Auth Token.

GET lists what the account sent, newest first, as Twilio does: filters `To`,
`From`, `DateSent`, `DateSent>` and `DateSent<` (YYYY-MM-DD in GMT, the
inequalities inclusive; a message not sent yet has no date_sent and matches no
date filter), pages of `PageSize` (default 50, at most 1000) with
`next_page_uri`.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from .. import callbacks
from ..emulation import VendorReplies, basic_credentials, by_method, emulated, json_response
from ..models import Service, TextAccount, TextMessage

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
STOPPED_SUFFIX = "9999"
UNREACHABLE_SUFFIX = "0000"
API = "2010-04-01"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000
# Query keys of the date filters: "DateSent>=2026-01-05" in a URL reads as key "DateSent>", value "2026-01-05".
DATE_FILTERS = ("DateSent", "DateSent>", "DateSent<")


def error(status: int, code: int, message: str) -> HttpResponse:
    return json_response(
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
        status=status,
    )


REPLIES = VendorReplies(
    server_error=lambda: error(500, 20500, "Internal Server Error"),
    rate_limited=lambda: error(429, 20429, "Too Many Requests"),
    unauthorized=lambda: error(401, 20003, "Authenticate"),
)


def signature(token: str, url: str, data: dict[str, str]) -> str:
    payload = url + "".join(k + v for k, v in sorted(data.items()))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def _address(value: str) -> tuple[str, str]:
    """("whatsapp" or "sms", the E.164 number)."""
    if value.startswith("whatsapp:"):
        return "whatsapp", value.removeprefix("whatsapp:")
    return "sms", value


def _render_template(account: TextAccount, content_sid: str, variables: str) -> str | HttpResponse:
    template = account.templates.get(content_sid)
    if template is None:
        return error(400, 21655, "The ContentSid is Invalid")
    try:
        values = json.loads(variables or "{}")
    except ValueError:
        return error(400, 21656, "The ContentVariables Parameter is invalid")
    if not isinstance(values, dict):
        return error(400, 21656, "The ContentVariables Parameter is invalid")
    for key, value in values.items():
        template = template.replace("{{" + str(key) + "}}", str(value))
    return template


def _validate(request: HttpRequest, account: TextAccount) -> tuple[str, str, str, str] | HttpResponse:
    """(channel, to, from, body) of a valid request, or Twilio's error."""
    to_channel, to = _address(request.POST.get("To", ""))
    from_channel, sender = _address(request.POST.get("From", ""))
    if not E164.match(to):
        return error(400, 21211, f"The 'To' number {request.POST.get('To', '')} is not a valid phone number.")
    if not sender:
        return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
    if sender not in account.senders or from_channel != to_channel:
        return error(400, 21212, f"The 'From' number {request.POST.get('From')} is not a valid phone number.")
    if to.endswith(STOPPED_SUFFIX):
        return error(400, 21610, "Attempt to send to unsubscribed recipient")
    content_sid = request.POST.get("ContentSid", "")
    if content_sid:
        body = _render_template(account, content_sid, request.POST.get("ContentVariables", ""))
        if isinstance(body, HttpResponse):
            return body
    elif to_channel == "whatsapp":
        return error(400, 63016, "Failed to send freeform message because you are outside the allowed window.")
    else:
        body = request.POST.get("Body", "")
        if not body:
            return error(400, 21602, "Message body is required.")
    return to_channel, to, sender, body


def _rfc2822(moment: datetime | None) -> str | None:
    return http_date(moment.timestamp()).replace("GMT", "+0000") if moment else None


def _resource(message: TextMessage) -> dict:
    prefix = "whatsapp:" if message.channel == "whatsapp" else ""
    sid = message.account.username
    return {
        "sid": message.message_id,
        "account_sid": sid,
        "api_version": API,
        "direction": "outbound-api",
        "to": prefix + message.to,
        "from": prefix + message.sender,
        "body": message.body,
        "status": message.status,
        "num_segments": str(message.segments),
        "error_code": 30003 if message.status == "undelivered" else None,
        "error_message": "Unreachable destination handset" if message.status == "undelivered" else None,
        "price": None,
        "date_created": _rfc2822(message.created_at),
        "date_updated": _rfc2822(message.sent_at or message.created_at),
        "date_sent": _rfc2822(message.sent_at),
        "uri": f"/{API}/Accounts/{sid}/Messages/{message.message_id}.json",
    }


def _progress(message_pk: int) -> None:
    """The network's part: sent (date_sent stamped), then delivered or undelivered, each reported if asked."""
    message = TextMessage.objects.select_related("account").get(pk=message_pk)
    prefix = "whatsapp:" if message.channel == "whatsapp" else ""
    final = "undelivered" if message.to.endswith(UNREACHABLE_SUFFIX) else "delivered"
    for status in ("sent", final):
        stamp = {"sent_at": timezone.now()} if status == "sent" else {}
        TextMessage.objects.filter(pk=message_pk).update(status=status, **stamp)
        if not message.status_callback:
            continue
        data = {
            "MessageSid": message.message_id,
            "SmsSid": message.message_id,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": message.account.username,
            "From": prefix + message.sender,
            "To": prefix + message.to,
            "ApiVersion": API,
        }
        if status == "undelivered":
            data["ErrorCode"] = "30003"
        headers = {"X-Twilio-Signature": signature(message.account.secret, message.status_callback, data)}
        callbacks.post_form(message.status_callback, data, headers)


def _account(request: HttpRequest, account_sid: str) -> TextAccount | None:
    sid, token = basic_credentials(request) or ("", "")
    account = TextAccount.objects.filter(service=Service.TWILIO, username=account_sid).first()
    if account is None or sid != account_sid or not secrets.compare_digest(token, account.secret):
        return None
    return account


@emulated(Service.TWILIO, "messages.create", REPLIES)
def messages_create(request: HttpRequest, account_sid: str) -> HttpResponse:
    account = _account(request, account_sid)
    if account is None:
        return REPLIES.unauthorized()
    valid = _validate(request, account)
    if isinstance(valid, HttpResponse):
        return valid
    channel, to, sender, body = valid
    message = TextMessage.objects.create(
        account=account,
        channel=channel,
        message_id="SM" + secrets.token_hex(16),
        sender=sender,
        to=to,
        body=body,
        segments=callbacks.segments(body),
        status="queued",
        status_callback=request.POST.get("StatusCallback", ""),
        created_at=timezone.now(),
    )
    callbacks.later(lambda: _progress(message.pk))
    return json_response(_resource(message), status=201)


def _filtered(request: HttpRequest, account: TextAccount) -> QuerySet[TextMessage] | HttpResponse:
    rows = TextMessage.objects.filter(account=account).select_related("account")
    for field, column in (("To", "to"), ("From", "sender")):
        if request.GET.get(field):
            channel, number = _address(request.GET[field])
            rows = rows.filter(**{column: number, "channel": channel})
    for key in DATE_FILTERS:
        if key not in request.GET:
            continue
        try:
            day = datetime.combine(date.fromisoformat(request.GET[key]), datetime.min.time(), tzinfo=UTC)
        except ValueError:
            return error(400, 20001, f"{key} must be a date as YYYY-MM-DD.")
        # Inclusive, as Twilio reads them: "DateSent>" on or after that midnight, "DateSent<" up to its end.
        if key != "DateSent<":
            rows = rows.filter(sent_at__gte=day)
        if key != "DateSent>":
            rows = rows.filter(sent_at__lt=day + timedelta(days=1))
    return rows.order_by("-created_at", "-id")


def _page_numbers(request: HttpRequest) -> tuple[int, int] | HttpResponse:
    try:
        page = int(request.GET.get("Page", "0"))
        size = int(request.GET.get("PageSize", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        return error(400, 20001, "Page and PageSize must be whole numbers.")
    if page < 0 or not 1 <= size <= MAX_PAGE_SIZE:
        return error(400, 20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return page, size


@emulated(Service.TWILIO, "messages.list", REPLIES)
def messages_list(request: HttpRequest, account_sid: str) -> HttpResponse:
    account = _account(request, account_sid)
    if account is None:
        return REPLIES.unauthorized()
    rows, numbers = _filtered(request, account), _page_numbers(request)
    if isinstance(rows, HttpResponse):
        return rows
    if isinstance(numbers, HttpResponse):
        return numbers
    page, size = numbers
    found = list(rows[page * size : (page + 1) * size + 1])
    filters = {k: v for k, v in request.GET.items() if k in ("To", "From", *DATE_FILTERS)}
    path = f"/{API}/Accounts/{account_sid}/Messages.json"

    def uri(number: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': number, 'PageToken': f'PA{number}'})}"

    return json_response(
        {
            "messages": [_resource(m) for m in found[:size]],
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(found[:size]) - 1, 0),
            "uri": uri(page),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if len(found) > size else None,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
        }
    )


messages_view = by_method(GET=messages_list, POST=messages_create)
