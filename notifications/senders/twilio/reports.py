"""Twilio status callbacks: `MessageSid`, `MessageStatus`, `ErrorCode` (form-encoded, signed)."""

from ...models import MessageStatus

STATUSES = {
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
    "sent": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "queued": MessageStatus.SENT,
    "accepted": MessageStatus.SENT,
}


def our_status(vendor_status: str) -> str | None:
    return STATUSES.get(vendor_status)
