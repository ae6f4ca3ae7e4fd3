"""django-anymail tracking webhooks (at /anymail/, behind ANYMAIL WEBHOOK_SECRET) move our emails forward."""

from typing import Any

from django.db import transaction

from .models import Channel, DeliveryReport, Message, MessageStatus, OptOut
from .reports import _advance

EVENTS = {
    "queued": MessageStatus.SENT,
    "sent": MessageStatus.SENT,
    "deferred": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "opened": MessageStatus.DELIVERED,
    "clicked": MessageStatus.DELIVERED,
    "rejected": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
    "bounced": MessageStatus.FAILED,
    "complained": MessageStatus.DELIVERED,
    "unsubscribed": MessageStatus.DELIVERED,
}
OPT_OUT_EVENTS = {"complained", "unsubscribed"}


def email_tracking_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    status = EVENTS.get(event.event_type)
    if not event.message_id or status is None:
        return
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("clinic")
            .filter(channel=Channel.EMAIL, provider_message_id=event.message_id)
            .first()
        )
        if message is None:
            return
        DeliveryReport.objects.create(
            clinic=message.clinic,
            vendor=f"email:{esp_name}",
            external_id=event.message_id,
            payload={
                "event": event.event_type,
                "recipient": event.recipient or "",
                "reason": event.reject_reason or "",
            },
            state=DeliveryReport.State.PROCESSED,
        )
        reason = f"The email provider reported it {event.event_type}"
        _advance(message, status, f"{reason} ({event.reject_reason})." if event.reject_reason else f"{reason}.")
        if event.event_type in OPT_OUT_EVENTS:
            OptOut.objects.get_or_create(
                clinic=message.clinic, channel=Channel.EMAIL, address=message.to, defaults={"source": esp_name}
            )
