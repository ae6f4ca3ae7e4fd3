"""Payments become messages: the patient's receipt or refund notice, and alerts when a payment needs a person.

`payment_changing` is sent inside the transaction that records the money, so
these rows commit with the payment or not at all (payments/signals.py).
"""

import logging
from typing import Any

from django.db import transaction

from bookings.models import Booking
from payments.models import Invoice

from . import compose
from .models import Kind
from .outbox import alert_write, patient_messages_write

logger = logging.getLogger(__name__)

ATTENTION_WORDS = {"needs_review": "needs review", "refund_due": "must be refunded"}


def write_payment_messages(sender: Any, booking: Booking, event: str, invoice: Invoice, **kwargs: Any) -> None:
    """Runs inside the payment's transaction: a failure here must never cost the clinic the record of the money."""
    try:
        with transaction.atomic():
            if event == "completed":
                _receipt_write(booking, invoice)
            elif event in ATTENTION_WORDS:
                _attention_alert_write(booking, invoice, event, reason=str(kwargs.get("reason") or ""))
            if event == "refund_due":
                _refund_notice_write(booking, invoice)
    except Exception:
        logger.exception("Writing the %s messages of invoice %s failed", event, invoice.pk)


def _receipt_write(booking: Booking, invoice: Invoice) -> None:
    # What the clinic holds for this booking: a top-up after a part payment shows the whole, with every receipt.
    content = compose.payment_receipt(booking, amount=invoice.amount_paid, reference=", ".join(_receipts(invoice)))
    patient_messages_write(booking, Kind.PAYMENT_RECEIPT, content, suffix=f"invoice:{invoice.pk}")


def _refund_notice_write(booking: Booking, invoice: Invoice) -> None:
    # The patient paid and will not get what they paid for: they hear it from us, once per move into refund due.
    since = int(invoice.refund_due_at.timestamp()) if invoice.refund_due_at else 0
    content = compose.payment_refund(booking, amount=invoice.amount_paid, reference=", ".join(_receipts(invoice)))
    patient_messages_write(booking, Kind.PAYMENT_REFUND, content, suffix=f"invoice:{invoice.pk}:refund:{since}")


def _receipts(invoice: Invoice) -> list[str]:
    return [number for number in invoice.payments.values_list("receipt_number", flat=True) if number]


def _attention_alert_write(booking: Booking, invoice: Invoice, event: str, *, reason: str) -> None:
    # One alert per move into the state: a later, separate problem with the same invoice is news again.
    since = invoice.needs_review_at if event == "needs_review" else invoice.refund_due_at
    words = ATTENTION_WORDS[event]
    what = f"{booking.service.name} on {compose.short_time(booking)}"
    alert_write(
        clinic=booking.clinic,
        booking=booking,
        cause=f"payment:{invoice.pk}:{event}:{int(since.timestamp()) if since else 0}",
        subject=f"A payment {words}: {booking.service.name}, {compose.short_time(booking)}",
        text=f"The payment for {what} (invoice {invoice.reference}) {words}. {reason}".strip(),
        link=compose.dashboard_link(booking),
    )
