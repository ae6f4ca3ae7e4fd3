"""Finding the message an earlier attempt sent when Twilio's answer to it was lost.

Twilio's Messages API takes no idempotency key, but it lists what an account
sent (GET .../Messages.json filtered by To and From, newest first). Among the
messages made since ours was written we match our text (a WhatsApp template's
rendered body holds every variable we gave it), and adopt that SID instead of
sending again.

DateSent is deliberately not a filter: a message Twilio accepted but has not
sent yet has no date_sent, and that is exactly the one a retry looks for.
https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
"""

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings

from integrations.vendors.http import VendorResponse

from ...models import Channel, Message, MessageStatus
from ..base import SendResult, gateway_session
from .errors import raise_for_response
from .reports import our_status

PAGE_SIZE = 50
MAX_PAGES = 5
# How far our clock and Twilio's may disagree when we compare creation times.
CLOCK_SKEW = timedelta(minutes=2)


def _created(resource: dict[str, Any]) -> datetime | None:
    try:
        return parsedate_to_datetime(str(resource.get("date_created", "")))
    except (TypeError, ValueError, IndexError):
        return None


def _same_text(message: Message, body: str) -> bool:
    if message.channel == Channel.WHATSAPP:
        values = [str(value) for value in message.template_variables.values()]
        return bool(values) and all(value in body for value in values)
    return body.strip() == message.body.strip()


def _is_ours(message: Message, resource: dict[str, Any], since: datetime) -> bool:
    created = _created(resource)
    return (
        created is not None
        and created >= since
        and resource.get("direction", "outbound-api") == "outbound-api"
        and _same_text(message, str(resource.get("body") or ""))
    )


def _as_result(resource: dict[str, Any]) -> SendResult:
    status = our_status(str(resource.get("status", "")))
    failure = f"Twilio reported error {resource.get('error_code')}." if status == MessageStatus.FAILED else ""
    return SendResult(
        provider_message_id=str(resource["sid"]), delivered=status == MessageStatus.DELIVERED, failure=failure
    )


def earlier_sends(message: Message, *, base_url: str, auth: tuple[str, str], to: str, sender: str) -> list[SendResult]:
    """Messages Twilio made from `sender` to `to` with our text since `message` was written, oldest first."""
    since = message.created_at - CLOCK_SKEW
    url: str = f"{base_url}/2010-04-01/Accounts/{auth[0]}/Messages.json"
    params: dict[str, Any] | None = {"To": to, "From": sender, "PageSize": PAGE_SIZE}
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        response = gateway_session().get(url, params=params, auth=auth, timeout=settings.HTTP_TIMEOUT_SECONDS)
        page = raise_for_response(VendorResponse.from_requests(response))
        resources = [r for r in page.get("messages") or [] if isinstance(r, dict) and r.get("sid")]
        found += [r for r in resources if _is_ours(message, r, since)]
        next_uri = page.get("next_page_uri")
        # Newest first: once a page reaches back before our message, later pages hold nothing of ours.
        if not next_uri or any((_created(r) or since) < since for r in resources):
            break
        url, params = f"{base_url}{next_uri}", None
    found.sort(key=lambda r: _created(r) or since)
    return [_as_result(r) for r in found]
