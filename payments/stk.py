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


class PaymentRefused(Exception):
    """Why a prompt cannot be sent now, in words for the patient."""


def open_attempt(invoice: Invoice) -> StkAttempt | None:
    return invoice.attempts.filter(status__in=OPEN_ATTEMPT_STATUSES).first()


def stk_push_start(*, invoice: Invoice, phone: str) -> StkAttempt:
    """Send a prompt to `phone` for what the invoice still owes. Raises PaymentRefused with the reason.

    While a prompt is open, the open one is returned instead of sending a second.
    """
    mpesa = MpesaSettings.objects.filter(clinic_id=invoice.clinic_id).first()
    if mpesa is None or not mpesa.is_usable:
        raise PaymentRefused("This clinic does not take M-Pesa payments online. Please contact the clinic.")
    try:
        msisdn = normalise_msisdn(phone)
        request = StkPushRequest(
            phone=msisdn,
            amount=invoice.amount_due,
            account_reference=invoice.reference,
            callback_url=callback_url(mpesa, "stk"),
            description=f"Booking {invoice.reference}",
        )
    except InvalidRequest as exc:
        raise PaymentRefused(str(exc)) from None
    attempt, created = _record_attempt(invoice, msisdn, request.amount)
    if not created:
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


def _record_attempt(invoice: Invoice, msisdn: str, amount: int) -> tuple[StkAttempt, bool]:
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("booking").get(pk=invoice.pk)
        if locked.status not in (InvoiceStatus.UNPAID, InvoiceStatus.PENDING):
            raise PaymentRefused("This booking needs no payment now.")
        if locked.booking.status != BookingStatus.AWAITING_PAYMENT:
            raise PaymentRefused("This booking is no longer waiting for payment.")
        existing = open_attempt(locked)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                attempt = StkAttempt.objects.create(
                    clinic_id=locked.clinic_id, invoice=locked, phone=msisdn, amount=amount
                )
        except IntegrityError:
            raise PaymentRefused("A payment prompt is already on its way. Please wait for it.") from None
        locked.save(update_fields=locked.move_to(InvoiceStatus.PENDING))
        return attempt, True


def _refused(attempt: StkAttempt, explanation: str) -> None:
    """Daraja refused the push: the attempt fails with its words, the invoice is payable again."""
    stk_failure_record(attempt_id=attempt.pk, result_code="push", result_desc=explanation)
    StkAttempt.objects.filter(pk=attempt.pk).update(reason=explanation[:300])
