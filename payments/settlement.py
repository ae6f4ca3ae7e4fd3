"""Money in: record a payment once, settle its invoice, and confirm the booking through bookings.

Every path takes its row locks in one order (booking, invoice, attempt), the
order bookings' own cancel path uses before our cancellation listener locks the
invoice, so a payment racing a cancellation waits instead of deadlocking.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.errors import BookingError
from bookings.models import Booking
from bookings.services import booking_mark_paid

from .announcements import invoice_attention_announce, payment_outcome_announce
from .daraja.errors import describe_result_code
from .models import AttemptStatus, Invoice, InvoiceStatus, Payment, PaymentSource, StkAttempt
from .models.payment import OPEN_ATTEMPT_STATUSES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # paid, partial, duplicate, needs_review, refund_due, failed, ignored
    invoice: Invoice | None = None
    payment: Payment | None = None


def _locked_chain(invoice_id: int) -> tuple[Booking, Invoice]:
    booking_id = Invoice.objects.values_list("booking_id", flat=True).get(pk=invoice_id)
    booking = (
        Booking.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "clinic")
        .get(pk=booking_id)
    )
    return booking, Invoice.objects.select_for_update().get(pk=invoice_id)


def _settle(invoice: Invoice, booking: Booking, payment: Payment) -> Outcome:
    """Add the payment to its invoice; a fully paid invoice confirms its booking, once."""
    was = invoice.status
    invoice.amount_paid += payment.amount
    fields = ["amount_paid", "updated_at"]
    if was in (InvoiceStatus.PAID, InvoiceStatus.REFUND_DUE, InvoiceStatus.CANCELLED) or (
        was == InvoiceStatus.NEEDS_REVIEW and invoice.amount_paid - payment.amount >= invoice.amount
    ):
        return _settle_further_money(invoice, booking, payment, was)
    if invoice.amount_paid < invoice.amount:
        if invoice.status == InvoiceStatus.PENDING:
            fields += invoice.move_to(InvoiceStatus.UNPAID, f"KES {invoice.amount_paid} of {invoice.amount} paid.")
        invoice.save(update_fields=list(dict.fromkeys(fields)))
        return Outcome("partial", invoice, payment)
    if invoice.amount_paid > invoice.amount:
        target, reason = InvoiceStatus.NEEDS_REVIEW, f"Overpaid by KES {invoice.amount_paid - invoice.amount}."
    else:
        target, reason = InvoiceStatus.PAID, ""
    moved: list[str] = []
    if was == InvoiceStatus.NEEDS_REVIEW and target == InvoiceStatus.NEEDS_REVIEW:
        invoice.status_reason = reason
        fields.append("status_reason")
    else:
        moved = invoice.move_to(target, reason)
        fields += moved
    if invoice.paid_at is None:
        invoice.paid_at = timezone.now()
        fields.append("paid_at")
    # Saved before the booking is confirmed, so listeners of that confirmation see the invoice settled.
    invoice.save(update_fields=list(dict.fromkeys(fields)))
    try:
        with transaction.atomic():
            booking_mark_paid(booking=booking)
    except BookingError as exc:
        moved = invoice.move_to(
            InvoiceStatus.REFUND_DUE, f"Paid after the held time was released and it could not be taken back: {exc}"
        )
        invoice.save(update_fields=moved)
        invoice_attention_announce(invoice, booking, moved)
        return Outcome(InvoiceStatus.REFUND_DUE, invoice, payment)
    booking.refresh_from_db()
    payment_outcome_announce("completed", invoice, booking, payment=payment)
    invoice_attention_announce(invoice, booking, moved)
    return Outcome(str(target), invoice, payment)


def _settle_further_money(invoice: Invoice, booking: Booking, payment: Payment, was: str) -> Outcome:
    """Money for an invoice that was settled or called off already: it is owed back or must be looked at."""
    target = InvoiceStatus.REFUND_DUE if was == InvoiceStatus.CANCELLED else InvoiceStatus.NEEDS_REVIEW
    reason = f"A further KES {payment.amount} arrived ({payment.receipt_number or payment.get_source_display()})."
    moved = invoice.move_to(target, reason) if target != was else []
    invoice.save(update_fields=list(dict.fromkeys(["amount_paid", "updated_at", *moved])))
    invoice_attention_announce(invoice, booking, moved)
    return Outcome(target, invoice, payment)


def stk_success_record(
    *, attempt_id: int, amount: float, receipt_number: str = "", phone: str = "", transaction_time: str = ""
) -> Outcome:
    """A prompt M-Pesa confirmed paid (callback verified by STK Query, or STK Query alone)."""
    invoice_id = StkAttempt.objects.values_list("invoice_id", flat=True).get(pk=attempt_id)
    with transaction.atomic():
        booking, invoice = _locked_chain(invoice_id)
        attempt = StkAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status == AttemptStatus.SUCCEEDED:
            # A duplicate: learn the receipt if the query got here first, change nothing else.
            if receipt_number:
                Payment.objects.filter(attempt=attempt, receipt_number="").update(receipt_number=receipt_number)
            return Outcome("duplicate", invoice, getattr(attempt, "payment", None))
        if float(amount) != attempt.amount:
            attempt.status, attempt.completed_at = AttemptStatus.NEEDS_REVIEW, timezone.now()
            attempt.reason = f"M-Pesa reported KES {amount:g} for a prompt of KES {attempt.amount}."
            attempt.save(update_fields=["status", "completed_at", "reason", "updated_at"])
            moved = invoice.move_to(InvoiceStatus.NEEDS_REVIEW, attempt.reason)
            invoice.save(update_fields=moved)
            invoice_attention_announce(invoice, booking, moved)
            return Outcome(InvoiceStatus.NEEDS_REVIEW, invoice)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    clinic_id=attempt.clinic_id,
                    invoice=invoice,
                    attempt=attempt,
                    source=PaymentSource.STK,
                    receipt_number=receipt_number,
                    amount=attempt.amount,
                    phone=phone,
                    bill_ref=invoice.reference,
                    transaction_time=transaction_time,
                )
        except IntegrityError:
            logger.warning("Receipt %s was already recorded; attempt %s left as it was", receipt_number, attempt_id)
            return Outcome("duplicate", invoice)
        attempt.status, attempt.completed_at = AttemptStatus.SUCCEEDED, timezone.now()
        attempt.result_code, attempt.reason = "0", describe_result_code("0")
        attempt.save(update_fields=["status", "completed_at", "result_code", "reason", "updated_at"])
        return _settle(invoice, booking, payment)


def stk_failure_record(*, attempt_id: int, result_code: str, result_desc: str = "", reason: str = "") -> Outcome:
    """A prompt that ended without money. A recorded success is never undone by it.

    `reason` overrides the sentence of the result code (Daraja refusing the push has its own words).
    """
    invoice_id = StkAttempt.objects.values_list("invoice_id", flat=True).get(pk=attempt_id)
    with transaction.atomic():
        booking, invoice = _locked_chain(invoice_id)
        attempt = StkAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.NEEDS_REVIEW):
            return Outcome("ignored", invoice)
        if attempt.status == AttemptStatus.FAILED:
            return Outcome("duplicate", invoice)
        reason = (reason or describe_result_code(result_code))[:300]
        attempt.status, attempt.completed_at = AttemptStatus.FAILED, timezone.now()
        attempt.result_code, attempt.result_desc, attempt.reason = str(result_code)[:12], result_desc[:300], reason
        attempt.save(update_fields=["status", "completed_at", "result_code", "result_desc", "reason", "updated_at"])
        _reopen_if_idle(invoice, attempt)
        payment_outcome_announce("failed", invoice, booking, reason=reason, attempt=attempt)
        return Outcome("failed", invoice)


def stk_review_record(*, attempt_id: int, reason: str) -> Outcome:
    """M-Pesa cannot tell us what happened: staff must look (the patient may have paid)."""
    invoice_id = StkAttempt.objects.values_list("invoice_id", flat=True).get(pk=attempt_id)
    with transaction.atomic():
        booking, invoice = _locked_chain(invoice_id)
        attempt = StkAttempt.objects.select_for_update().get(pk=attempt_id)
        if not attempt.is_open:
            return Outcome("ignored", invoice)
        attempt.status, attempt.completed_at, attempt.reason = AttemptStatus.NEEDS_REVIEW, timezone.now(), reason
        attempt.save(update_fields=["status", "completed_at", "reason", "updated_at"])
        if invoice.status in (InvoiceStatus.PENDING, InvoiceStatus.UNPAID):
            moved = invoice.move_to(InvoiceStatus.NEEDS_REVIEW, reason)
            invoice.save(update_fields=moved)
            invoice_attention_announce(invoice, booking, moved)
        return Outcome(InvoiceStatus.NEEDS_REVIEW, invoice)


def _reopen_if_idle(invoice: Invoice, closed: StkAttempt) -> None:
    others_open = invoice.attempts.exclude(pk=closed.pk).filter(status__in=OPEN_ATTEMPT_STATUSES).exists()
    if invoice.status == InvoiceStatus.PENDING and not others_open:
        invoice.save(update_fields=invoice.move_to(InvoiceStatus.UNPAID))


def c2b_payment_record(
    *,
    clinic_id: int,
    invoice_id: int | None,
    trans_id: str,
    amount: int,
    msisdn: str,
    payer: str,
    bill_ref: str,
    time: str,
) -> Outcome:
    """A Paybill/Till payment M-Pesa confirmed; its TransID is recorded once whatever repeats it."""
    with transaction.atomic():
        if Payment.objects.filter(receipt_number=trans_id).exists():
            return Outcome("duplicate")
        booking = invoice = None
        if invoice_id is not None:
            booking, invoice = _locked_chain(invoice_id)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    clinic_id=clinic_id,
                    invoice=invoice,
                    source=PaymentSource.C2B,
                    receipt_number=trans_id,
                    amount=amount,
                    phone=msisdn,
                    payer_name=payer,
                    bill_ref=bill_ref,
                    transaction_time=time,
                )
        except IntegrityError:
            return Outcome("duplicate")
        if invoice is None or booking is None:
            return Outcome("unmatched", None, payment)
        return _settle(invoice, booking, payment)
