"""What owners do with webhook endpoints: register, switch on and off, rotate the secret, replay a delivery."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinicpro.models import Clinic

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..models.webhooks import new_signing_secret
from .ssrf import pinned_target


def endpoint_register(
    *, clinic: Clinic, url: str, events: list[str], description: str = "", created_by: Any = None
) -> WebhookEndpoint:
    """Register an endpoint; UnsafeEndpoint when its host resolves to an internal address."""
    pinned_target(url)
    return WebhookEndpoint.objects.create(
        clinic=clinic, url=url, events=sorted(set(events)), description=description, created_by=created_by
    )


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch an endpoint back on (checked again: its host may resolve elsewhere by now)."""
    pinned_target(endpoint.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True, disabled_at=None, disabled_reason="")
    endpoint.refresh_from_db()
    return endpoint


def endpoint_disable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    # Switched off by its owner: no banner, so no disabled_at.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=None, disabled_reason="")
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret. The one it replaces still signs beside it for WEBHOOKS_SECRET_GRACE_HOURS.

    Rotating again within that time retires the replaced secret at once: only the latest two ever sign.
    """
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret = locked.secret
    locked.secret = new_signing_secret()
    locked.secret_rotated_at = timezone.now()
    locked.save(update_fields=["previous_secret", "secret", "secret_rotated_at"])
    return locked


def expired_secrets_forget() -> int:
    """Erase previous secrets whose grace has ended (they no longer sign anything); how many were erased."""
    horizon = timezone.now() - timedelta(hours=settings.WEBHOOKS_SECRET_GRACE_HOURS)
    return (
        WebhookEndpoint.objects.filter(secret_rotated_at__lt=horizon)
        .exclude(previous_secret="")
        .update(previous_secret="")
    )


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, as it was (same webhook-id and body), now; attempts so far stay in its log."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    delivery.refresh_from_db()
    transaction.on_commit(lambda: _queue(delivery.pk))
    return delivery


def _queue(delivery_id: int) -> None:
    from ..tasks import deliver_webhook

    deliver_webhook.delay(delivery_id)
