"""Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json (Basic auth, form-encoded).

Validates like Twilio: 21211 invalid To, 21212 a From the account does not own,
21610 a recipient who replied STOP (numbers ending in 9999), 63016 WhatsApp
free text outside the 24-hour window, 21655 an unknown ContentSid. Accepted
messages answer 201 `queued`; the StatusCallback then hears `sent` and
`delivered` (`undelivered` with 30003 for numbers ending in 0000), signed with
X-Twilio-Signature under the account's Auth Token.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date

from .. import callbacks
from ..emulation import VendorReplies, basic_credentials, emulated, json_response
from ..models import Service, TextAccount, TextMessage

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
STOPPED_SUFFIX = "9999"
UNREACHABLE_SUFFIX = "0000"
API = "2010-04-01"


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


def _resource(message: TextMessage) -> dict:
    prefix = "whatsapp:" if message.channel == "whatsapp" else ""
    created = http_date(message.created_at.timestamp()).replace("GMT", "+0000")
    sid = message.account.username
    return {
        "sid": message.message_id,
        "account_sid": sid,
        "to": prefix + message.to,
        "from": prefix + message.sender,
        "body": message.body,
        "status": "queued",
        "num_segments": str(message.segments),
        "error_code": None,
        "error_message": None,
        "price": None,
        "date_created": created,
        "date_updated": created,
        "date_sent": None,
        "uri": f"/{API}/Accounts/{sid}/Messages/{message.message_id}.json",
    }


def _report(message_pk: int) -> None:
    message = TextMessage.objects.select_related("account").get(pk=message_pk)
    prefix = "whatsapp:" if message.channel == "whatsapp" else ""
    final = "undelivered" if message.to.endswith(UNREACHABLE_SUFFIX) else "delivered"
    for status in ("sent", final):
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
        TextMessage.objects.filter(pk=message_pk).update(status=status)


@emulated(Service.TWILIO, "messages.create", REPLIES)
def messages_view(request: HttpRequest, account_sid: str) -> HttpResponse:
    if request.method != "POST":
        return error(405, 20004, "Method not allowed")
    sid, token = basic_credentials(request) or ("", "")
    account = TextAccount.objects.filter(service=Service.TWILIO, username=account_sid).first()
    if account is None or sid != account_sid or not secrets.compare_digest(token, account.secret):
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
    if message.status_callback:
        callbacks.later(lambda: _report(message.pk))
    return json_response(_resource(message), status=201)
