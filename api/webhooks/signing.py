"""Standard Webhooks signatures, made by the `standardwebhooks` reference package."""

from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(*, secret: str, message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature for `body`, signed with the endpoint's secret."""
    sent_at = sent_at.astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
        "content-type": "application/json",
    }
