"""Africa's Talking's bulk SMS endpoint: POST /version1/messaging (form-encoded, `apiKey` header).

Answers 201 with `SMSMessageData`; each recipient carries its own statusCode
(101 sent, 402 InvalidSenderId, 403 InvalidPhoneNumber, 405 InsufficientBalance).
Errors of the request itself are plain text, as the real API sends them. A
delivery report follows to the account's report URL: Success, or Failed with
`UserIsInactive` for numbers ending in 0000.
"""

import re
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from .. import callbacks
from ..emulation import VendorReplies, emulated
from ..models import Service, TextAccount, TextMessage

# The official SDK's own check of a number.
PHONE = re.compile(r"^\+\d{1,3}\d{3,}$")
PRICE = Decimal("0.8000")
DEFAULT_SENDER = "AFRICASTKNG"
INACTIVE_SUFFIX = "0000"


def text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


def json_201(body: dict) -> HttpResponse:
    import json

    # The SDK parses JSON only when Content-Type is exactly application/json.
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")


REPLIES = VendorReplies(
    server_error=lambda: text("Internal Server Error", 500),
    rate_limited=lambda: text("Too Many Requests", 429),
    unauthorized=lambda: text("The supplied authentication is invalid", 401),
)


def _recipient(number: str, code: int, status: str, message_id: str = "None", cost: str = "0") -> dict:
    return {"statusCode": code, "number": number, "status": status, "cost": cost, "messageId": message_id}


def _send_one(account: TextAccount, number: str, sender: str, body: str) -> dict:
    if not PHONE.match(number):
        return _recipient(number, 403, "InvalidPhoneNumber")
    parts = callbacks.segments(body)
    cost = PRICE * parts
    with transaction.atomic():
        if not TextAccount.objects.filter(pk=account.pk, balance__gte=cost).update(balance=F("balance") - cost):
            return _recipient(number, 405, "InsufficientBalance")
        message = TextMessage.objects.create(
            account=account,
            message_id=f"ATXid_{secrets.token_hex(16)}",
            sender=sender,
            to=number,
            body=body,
            segments=parts,
            status="Sent",
        )
    if account.delivery_report_url:
        callbacks.later(lambda: _report(account.delivery_report_url, message.pk))
    return _recipient(number, 101, "Success", message.message_id, f"KES {cost:.4f}")


def _report(url: str, message_pk: int) -> None:
    message = TextMessage.objects.get(pk=message_pk)
    failed = message.to.endswith(INACTIVE_SUFFIX)
    data = {
        "id": message.message_id,
        "status": "Failed" if failed else "Success",
        "phoneNumber": message.to,
        "networkCode": "63902",
        "retryCount": "0",
    }
    if failed:
        data["failureReason"] = "UserIsInactive"
    callbacks.post_form(url, data)
    TextMessage.objects.filter(pk=message_pk).update(status=data["status"])


@emulated(Service.AFRICASTALKING, "messaging.send", REPLIES)
def send_sms(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return text("Method not allowed", 405)
    username = request.POST.get("username", "")
    account = TextAccount.objects.filter(service=Service.AFRICASTALKING, username=username).first()
    if account is None or not secrets.compare_digest(request.headers.get("apiKey", ""), account.secret):
        return REPLIES.unauthorized()
    for field in ("to", "message"):
        if not request.POST.get(field):
            return text(f"Request is missing required form field '{field}'", 400)
    sender = request.POST.get("from") or DEFAULT_SENDER
    numbers = [n.strip() for n in request.POST["to"].split(",") if n.strip()]
    if sender != DEFAULT_SENDER and sender not in account.senders:
        recipients = [_recipient(n, 402, "InvalidSenderId") for n in numbers]
        return json_201({"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": recipients}})
    recipients = [_send_one(account, n, sender, request.POST["message"]) for n in numbers]
    sent = [r for r in recipients if r["statusCode"] == 101]
    total = sum((Decimal(r["cost"].split(" ")[1]) for r in sent), Decimal(0))
    summary = f"Sent to {len(sent)}/{len(numbers)} Total Cost: KES {total:.4f}"
    return json_201({"SMSMessageData": {"Message": summary, "Recipients": recipients}})
