"""Writing deliveries: called inside the transaction of the event they tell of."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from clinicpro.models import Clinic

from ..models import WebhookDelivery, WebhookEndpoint
from ..renderers import dumps


def subscribed_endpoints(clinic: Clinic, event_type: str) -> list[WebhookEndpoint]:
    # Few endpoints per clinic: filtering the JSON list in Python works the same on SQLite and PostgreSQL.
    return [e for e in WebhookEndpoint.objects.filter(clinic=clinic, is_active=True) if event_type in e.events]


def webhook_enqueue(
    *, clinic: Clinic, event_type: str, data: dict[str, Any], endpoints: list[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """One delivery per subscribed endpoint (found here unless given), due now; sent by a worker after commit."""
    if endpoints is None:
        endpoints = subscribed_endpoints(clinic, event_type)
    if not endpoints:
        return []
    now = timezone.now()
    body = dumps({"type": event_type, "timestamp": now, "data": data})
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, clinic=clinic, event_type=event_type, body=body, next_attempt_at=now)
            for e in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _queue(ids))
    return deliveries


def _queue(ids: list[int]) -> None:
    from ..tasks import deliver_webhook

    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
