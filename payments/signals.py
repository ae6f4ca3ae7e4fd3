"""What payments tells the rest of ClinicPro.

Sent with `sender=Invoice`, `invoice=<Invoice>`, `booking=<Booking>`:
- `payment_completed` once an invoice is fully paid (also `payment=<the settling Payment row>`);
- `payment_failed` when a payment attempt ends without money (also `reason=<words for the patient>` and
  `attempt=<the StkAttempt that failed>`).

`payment_changing` is their durable twin: sent *inside* the transaction that
records the outcome, with `event` ("completed" or "failed") and the same
arguments, so listeners that must not lose work (messages, webhooks) write their
row in that transaction. The two after-commit signals are sent once it commits.
"""

from django.dispatch import Signal

payment_completed = Signal()
payment_failed = Signal()
payment_changing = Signal()
