"""Africa's Talking delivery reports: `id`, `status`, `phoneNumber`, `failureReason` (form-encoded)."""

from ...models import MessageStatus

FINAL = {"Success": MessageStatus.DELIVERED, "Failed": MessageStatus.FAILED, "Rejected": MessageStatus.FAILED}
IN_FLIGHT = {"Sent", "Submitted", "Buffered"}


def our_status(vendor_status: str) -> str | None:
    if vendor_status in FINAL:
        return FINAL[vendor_status]
    return MessageStatus.SENT if vendor_status in IN_FLIGHT else None
