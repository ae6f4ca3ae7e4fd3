"""A patient asks to pay: one M-Pesa prompt at a time per invoice, sent outside any transaction."""

import logging

from django.db import IntegrityError, transaction

from bookings.models import BookingStatus

from .daraja import DarajaError, InvalidRequest, StkPushRequest, normalise_msisdn
from .gateway import NotConfigured, daraja_for
from .models import AttemptStatus, Invoice, InvoiceStatus, MpesaSettings, StkAttempt
from .models.payment import OPEN_ATTEMPT_STATUSES
from .settlement import stk_failure_record
from .urls_callbacks import callback_url

logger = logging.getLogger(__name__)

PROMPT_PENDING = "prompt_pending"


class PaymentRefused(Exception):
    """Why a prompt cannot be sent now, in words for the patient; `code` names the reason for programs."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def open_attempt(invoice: Invoice) -> StkAttempt | None:
    return invoice.attempts.filter(status__in=OPEN_ATTEMPT_STATUSES).first()


def stk_push_start(*, invoice: Invoice, phone: str, reuse_open: bool = True) -> StkAttempt:
    """Send a prompt to `phone` for what the invoice still owes. Raises PaymentRefused with the reason.

    While a prompt is open, the open one is returned instead of sending a second
    (the patient's page waits on it), or PaymentRefused ("prompt_pending") is raised when `reuse_open` is off.
    """
    mpesa = MpesaSettings.objects.filter(clinic_id=invoice.clinic_id).first()
    if mpesa is None or not mpesa.is_usable:
        raise PaymentRefused(
            "This clinic does not take M-Pesa payments online. Please contact the clinic.", "mpesa_not_configured"
        )
    request = _prompt_request(mpesa, invoice, phone)
    msisdn = request.phone
    attempt, created = _record_attempt(invoice, msisdn, request.amount)
    if not created:
        if not reuse_open:
            raise PaymentRefused(
                "A payment prompt is already waiting on the phone. Answer or cancel it first.", PROMPT_PENDING
            )
        return attempt  # the prompt already open (or being sent by another request)
    try:
        accepted = daraja_for(mpesa).stk_push(request)
    except (DarajaError, NotConfigured) as exc:
        _refused(attempt, str(exc))
        attempt.refresh_from_db()
        return attempt
    StkAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.REQUESTING).update(
        status=AttemptStatus.PENDING,
        merchant_request_id=accepted.merchant_request_id,
        checkout_request_id=accepted.checkout_request_id,
    )
    attempt.refresh_from_db()
    return attempt


def _prompt_request(mpesa: MpesaSettings, invoice: Invoice, phone: str) -> StkPushRequest:
    """The prompt for what the invoice owes now; PaymentRefused for a number M-Pesa cannot use or nothing owed."""
    try:
        msisdn = normalise_msisdn(phone)
    except InvalidRequest as exc:
        raise PaymentRefused(str(exc), "invalid_phone") from None
    current = Invoice.objects.select_related("booking").get(pk=invoice.pk)
    _refuse_unless_payable(current)
    try:
        return StkPushRequest(
            phone=msisdn,
            amount=current.amount_due,
            account_reference=current.reference,
            callback_url=callback_url(mpesa, "stk"),
            description=f"Booking {current.reference}",
        )
    except InvalidRequest as exc:
        raise PaymentRefused(str(exc), "invalid_amount") from None


def _refuse_unless_payable(invoice: Invoice) -> None:
    if invoice.status not in (InvoiceStatus.UNPAID, InvoiceStatus.PENDING):
        code = "invoice_paid" if invoice.status == InvoiceStatus.PAID else "invoice_not_payable"
        raise PaymentRefused("This booking needs no payment now.", code)
    if invoice.booking.status != BookingStatus.AWAITING_PAYMENT:
        raise PaymentRefused("This booking is no longer waiting for payment.", "invoice_not_payable")


def _record_attempt(invoice: Invoice, msisdn: str, amount: int) -> tuple[StkAttempt, bool]:
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("booking").get(pk=invoice.pk)
        _refuse_unless_payable(locked)  # again, under the lock: a payment may have landed meanwhile
        existing = open_attempt(locked)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                attempt = StkAttempt.objects.create(
                    clinic_id=locked.clinic_id, invoice=locked, phone=msisdn, amount=amount
                )
        except IntegrityError:
            raise PaymentRefused(
                "A payment prompt is already on its way. Please wait for it.", PROMPT_PENDING
            ) from None
        locked.save(update_fields=locked.move_to(InvoiceStatus.PENDING))
        return attempt, True


def _refused(attempt: StkAttempt, explanation: str) -> None:
    """Daraja refused the push: the attempt fails with its words, the invoice is payable again."""
    stk_failure_record(attempt_id=attempt.pk, result_code="push", result_desc=explanation, reason=explanation)
