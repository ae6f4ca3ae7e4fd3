"""Stored callbacks become payments: claimed once, verified with Daraja outside any transaction, then settled."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .daraja import DarajaError
from .daraja.callbacks import MalformedCallback, parse_c2b, parse_stk_callback
from .gateway import NotConfigured, daraja_for
from .models import AttemptStatus, Callback, CallbackKind, CallbackStatus, Invoice, MpesaSettings, StkAttempt
from .models.invoice import normalise_reference
from .settlement import c2b_payment_record, stk_failure_record, stk_review_record, stk_success_record

logger = logging.getLogger(__name__)

# A callback may beat our own record of the prompt it answers (the push's answer is still on its way).
UNMATCHED_TRIES = 5
RETRY_SECONDS = 5
# A claim older than this belongs to a worker that died.
STALE_CLAIM = timedelta(minutes=2)
BATCH = 100


def callback_claim(callback_id: int) -> bool:
    now = timezone.now()
    return bool(
        Callback.objects.filter(pk=callback_id, status=CallbackStatus.RECEIVED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(status=CallbackStatus.PROCESSING, claimed_at=now)
    )


def claim_due_callbacks(limit: int = BATCH) -> list[int]:
    """Claim a batch of callbacks waiting (or stuck) for processing; other passes skip the locked rows."""
    now = timezone.now()
    due = Q(status=CallbackStatus.RECEIVED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    stuck = Q(status=CallbackStatus.PROCESSING, claimed_at__lt=now - STALE_CLAIM)
    with transaction.atomic():
        ids = list(
            Callback.objects.select_for_update(skip_locked=True)
            .filter(due | stuck, kind__in=[CallbackKind.STK, CallbackKind.C2B_CONFIRMATION])
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        Callback.objects.filter(pk__in=ids).update(status=CallbackStatus.PROCESSING, claimed_at=now)
    return ids


def callback_process(callback_id: int, *, claimed: bool = False) -> str:
    """Process one stored callback; returns its new status. Safe to call twice: only one claim wins."""
    if not claimed and not callback_claim(callback_id):
        return "not_claimed"
    callback = Callback.objects.get(pk=callback_id)
    try:
        if callback.kind == CallbackKind.STK:
            status, error = _process_stk(callback)
        else:
            status, error = _process_c2b(callback)
    except (DarajaError, NotConfigured) as exc:
        logger.info("Callback %s waits: %s", callback_id, exc)
        _release(callback, str(exc))
        return CallbackStatus.RECEIVED
    except Exception as exc:
        logger.exception("Processing callback %s failed", callback_id)
        _release(callback, f"{type(exc).__name__} while processing; will try again.")
        return CallbackStatus.RECEIVED
    if status == CallbackStatus.RECEIVED:
        _release(callback, error)
    else:
        Callback.objects.filter(pk=callback_id).update(
            status=status, error=error[:300], processed_at=timezone.now(), tries=callback.tries + 1
        )
    return status


def _release(callback: Callback, error: str) -> None:
    """Back to the queue, to be tried again a little later by the beat pass."""
    Callback.objects.filter(pk=callback.pk).update(
        status=CallbackStatus.RECEIVED,
        error=error[:300],
        tries=callback.tries + 1,
        not_before=timezone.now() + timedelta(seconds=RETRY_SECONDS * (callback.tries + 1)),
    )


def _process_stk(callback: Callback) -> tuple[str, str]:
    try:
        result = parse_stk_callback(callback.body.encode())
    except MalformedCallback as exc:
        return CallbackStatus.MALFORMED, str(exc)
    # Calls naming no clinic are refused as they arrive (views.callbacks._store): never processed.
    assert callback.clinic_id is not None
    # Only this clinic's prompts: another clinic's CheckoutRequestID on this path matches nothing.
    attempt = StkAttempt.objects.filter(
        clinic_id=callback.clinic_id, checkout_request_id=result.checkout_request_id
    ).first()
    if attempt is None:
        if callback.tries + 1 < UNMATCHED_TRIES:
            return CallbackStatus.RECEIVED, "No prompt of this clinic has this CheckoutRequestID yet."
        return CallbackStatus.UNMATCHED, "No prompt of this clinic has this CheckoutRequestID."
    if not result.succeeded:
        outcome = stk_failure_record(
            attempt_id=attempt.pk, result_code=result.result_code, result_desc=result.result_desc
        )
        return _status_of(outcome.status), ""
    if attempt.status == AttemptStatus.SUCCEEDED and attempt.payment.receipt_number:
        return CallbackStatus.DUPLICATE, "This prompt is already recorded as paid."
    verdict = _verify(attempt)
    if verdict == "pending":
        return CallbackStatus.RECEIVED, "M-Pesa still reports the payment as being processed."
    if verdict != "0":
        # The callback says paid, M-Pesa's own record says otherwise: a person must look.
        stk_review_record(
            attempt_id=attempt.pk, reason=f"The callback said paid but STK Query answered code {verdict}."
        )
        return CallbackStatus.PROCESSED, f"STK Query contradicts the callback (code {verdict})."
    outcome = stk_success_record(
        attempt_id=attempt.pk,
        amount=result.amount or 0,
        receipt_number=result.receipt_number,
        phone=result.phone,
        transaction_time=result.transaction_date,
    )
    return _status_of(outcome.status), ""


def _status_of(outcome: str) -> str:
    return CallbackStatus.DUPLICATE if outcome == "duplicate" else CallbackStatus.PROCESSED


def _verify(attempt: StkAttempt) -> str:
    """STK Query on the clinic's own credentials: "0", another ResultCode, or "pending". Raises on no answer."""
    mpesa = MpesaSettings.objects.get(clinic_id=attempt.clinic_id)
    answer = daraja_for(mpesa).stk_query(attempt.checkout_request_id or "")
    StkAttempt.objects.filter(pk=attempt.pk).update(last_queried_at=timezone.now(), query_count=attempt.query_count + 1)
    return "pending" if answer.pending else answer.result_code


def _process_c2b(callback: Callback) -> tuple[str, str]:
    try:
        payment = parse_c2b(callback.body.encode())
    except MalformedCallback as exc:
        return CallbackStatus.MALFORMED, str(exc)
    amount = payment.whole_amount()
    if amount is None:
        return CallbackStatus.UNMATCHED, f"TransAmount {payment.amount_text!r} is not whole shillings."
    # Calls naming no clinic are refused as they arrive (views.callbacks._store): never processed.
    assert callback.clinic_id is not None
    invoice = Invoice.objects.filter(
        clinic_id=callback.clinic_id, reference=normalise_reference(payment.bill_ref)
    ).first()
    outcome = c2b_payment_record(
        clinic_id=callback.clinic_id,
        invoice_id=invoice.pk if invoice else None,
        trans_id=payment.trans_id,
        amount=amount,
        msisdn=payment.msisdn,
        payer=payment.first_name,
        bill_ref=payment.bill_ref,
        time=payment.trans_time,
    )
    if outcome.status == "unmatched":
        return CallbackStatus.UNMATCHED, f"No invoice has the account number {payment.bill_ref!r}."
    return _status_of(outcome.status), ""
