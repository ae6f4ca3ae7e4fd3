"""Receiving a Standard Webhooks request: verify it, store it whatever it is, answer as scripted."""

import binascii
import json

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ..models import ReceivedWebhook, WebhookInbox

KEPT_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent")


def verify(inbox: WebhookInbox, body: str, headers: dict[str, str]) -> str:
    """ "" when the signature is good and fresh; otherwise why not."""
    try:
        Webhook(inbox.secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError as exc:
        return str(exc)
    except (ValueError, binascii.Error):
        return "Malformed signature header"
    return ""


def _event_type(body: str) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    return str(document.get("type", ""))[:60] if isinstance(document, dict) else ""


@transaction.atomic
def scripted_status(inbox: WebhookInbox) -> int | None:
    """The scripted failure for this request, if one is left (one request, one failure)."""
    locked = WebhookInbox.objects.select_for_update().get(pk=inbox.pk)
    if locked.fail_status is None:
        return None
    if locked.fail_remaining is not None:
        if locked.fail_remaining <= 0:
            return None
        WebhookInbox.objects.filter(pk=inbox.pk).update(fail_remaining=F("fail_remaining") - 1)
    return locked.fail_status


def receive(inbox: WebhookInbox, request: HttpRequest) -> ReceivedWebhook:
    body = request.body.decode("utf-8", errors="replace")
    headers = {name: request.headers.get(name, "") for name in KEPT_HEADERS if name in request.headers}
    error = verify(inbox, body, headers)
    status = scripted_status(inbox) or (204 if not error else 400)
    return ReceivedWebhook.objects.create(
        inbox=inbox,
        webhook_id=headers.get("webhook-id", "")[:100],
        event_type=_event_type(body),
        headers=headers,
        body=body,
        verified=not error,
        verification_error=error[:200],
        answered_status=status,
    )
