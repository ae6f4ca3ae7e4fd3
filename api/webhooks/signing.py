"""Standard Webhooks signatures, made by the `standardwebhooks` reference package."""

from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(*, secrets: Sequence[str], message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature for `body`, signed with each of the endpoint's secrets.

    Several signatures are space-separated `v1,<sig>` entries, as the spec allows; receivers accept any one.
    """
    sent_at = sent_at.astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, sent_at, body) for secret in secrets),
        "content-type": "application/json",
    }
