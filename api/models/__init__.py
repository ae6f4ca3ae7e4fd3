from .idempotency import IdempotencyRecord
from .keys import ApiKey, KeyAudience, KeyScope
from .webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiKey",
    "DeliveryStatus",
    "IdempotencyRecord",
    "KeyAudience",
    "KeyScope",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
