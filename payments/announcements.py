"""What payments tells the rest of ClinicPro, sent from inside the transaction that records it.

Listeners of `payment_changing` write their rows (messages, webhooks) in that
transaction, so a rollback takes them back and a commit keeps them with the
money. See signals.py for the events and their arguments.
"""

import logging
from typing import Any

from django.db import transaction

from bookings.models import Booking

from . import signals
from .models import Invoice, InvoiceStatus

logger = logging.getLogger(__name__)

# Invoice states a person must act on, as the event names `payment_changing` sends for them.
ATTENTION_EVENTS: dict[str, str] = {
    InvoiceStatus.NEEDS_REVIEW: "needs_review",
    InvoiceStatus.REFUND_DUE: "refund_due",
}


def payment_outcome_announce(event: str, invoice: Invoice, booking: Booking, **extra: Any) -> None:
    """A payment "completed" or "failed": in-transaction now, and its after-commit twin once that commits."""
    signals.payment_changing.send(sender=Invoice, event=event, invoice=invoice, booking=booking, **extra)
    after = signals.payment_completed if event == "completed" else signals.payment_failed

    def send() -> None:
        for receiver, result in after.send_robust(sender=Invoice, invoice=invoice, booking=booking, **extra):
            if isinstance(result, Exception):
                logger.error(
                    "Listener %r failed on a payment signal for invoice %s", receiver, invoice.pk, exc_info=result
                )

    transaction.on_commit(send)


def invoice_attention_announce(invoice: Invoice, booking: Booking, changed: list[str]) -> None:
    """Tell listeners an invoice just moved to needs review or refund due (`changed`: what move_to changed).

    Only the move itself is announced: a duplicated callback that leaves the status as it was says nothing.
    """
    event = ATTENTION_EVENTS.get(invoice.status)
    if event is None or "status" not in changed:
        return
    signals.payment_changing.send(
        sender=Invoice, event=event, invoice=invoice, booking=booking, reason=invoice.status_reason
    )
