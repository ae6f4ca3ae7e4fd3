"""What payments tells the rest of ClinicPro.

Sent with `sender=Invoice`, `invoice=<Invoice>`, `booking=<Booking>`:
- `payment_completed` once an invoice is fully paid (also `payment=<the settling Payment row>`);
- `payment_failed` when a payment attempt ends without money (also `reason=<words for the patient>` and
  `attempt=<the StkAttempt that failed>`).

`payment_changing` is their durable twin: sent *inside* the transaction that
records the outcome, with `event` and the same arguments, so listeners that must
not lose work (messages, webhooks) write their row in that transaction:
- "completed" and "failed", followed by the after-commit signals above;
- "needs_review" and "refund_due" (also `reason=<what staff should know>`) when
  an invoice moves to one of those states and a person must act; these have no
  after-commit twin. The invoice's `needs_review_at` or `refund_due_at` tells one
  such move from the next.
"""

from django.dispatch import Signal

payment_completed = Signal()
payment_failed = Signal()
payment_changing = Signal()
