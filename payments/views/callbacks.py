"""Safaricom's calls: stored first (even when wrong), answered in milliseconds, processed by a task."""

import hmac
import ipaddress
import logging

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinicpro.net import client_ip

from ..daraja.callbacks import MalformedCallback, parse_c2b, parse_stk_callback
from ..models import Callback, CallbackKind, CallbackStatus, Invoice, MpesaSettings
from ..models.invoice import OPEN_STATUSES, normalise_reference
from ..tasks import process_callback

logger = logging.getLogger(__name__)

ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _authentic(mpesa: MpesaSettings | None, secret: str, ip: str | None) -> str:
    """'' when the call may be trusted, else why not (kept on the stored row, never told to the caller)."""
    if mpesa is None:
        return "No clinic has this public id."
    if not any(hmac.compare_digest(secret.encode(), known.encode()) for known in mpesa.secrets_accepted()):
        return "Wrong callback secret."
    allowed = mpesa.allowed_ip_list()
    if allowed and ip not in allowed:
        return f"Source address {ip} is not on the clinic's allowlist."
    return ""


def _store(request: HttpRequest, public_id: str, secret: str, kind: str) -> tuple[Callback, JsonResponse | None]:
    """Store the call as it came; the response is set when it must be refused."""
    ip = _valid_ip(client_ip(request))
    mpesa = next(iter(MpesaSettings.objects.filter(public_id=public_id)[:1]), None)
    row = Callback(
        clinic_id=mpesa.clinic_id if mpesa else None,
        kind=kind,
        public_id=public_id[:40],
        body=request.body.decode("utf-8", errors="replace"),
        source_ip=ip,
    )
    refusal = _authentic(mpesa, secret, ip)
    if refusal:
        row.status, row.error = CallbackStatus.REJECTED, refusal
        row.save()
        logger.warning("Refused a %s callback for public id %s: %s", kind, public_id[:40], refusal)
        return row, JsonResponse({"ResultCode": 1, "ResultDesc": "Not found"}, status=404)
    try:
        row.external_id = (
            parse_stk_callback(request.body).checkout_request_id
            if kind == CallbackKind.STK
            else parse_c2b(request.body).trans_id
        )[:64]
    except MalformedCallback as exc:
        row.status, row.error = CallbackStatus.MALFORMED, str(exc)
        row.save()
        return row, JsonResponse({"ResultCode": 1, "ResultDesc": f"Rejected: {exc}"}, status=400)
    row.save()
    return row, None


def _queue(callback_id: int) -> None:
    try:
        # No publish retries: with the broker down the answer must not wait; the row is already stored.
        process_callback.apply_async((callback_id,), retry=False)
    except Exception:
        # The row is stored: the beat pass processes it once the broker is back.
        logger.warning("Could not queue callback %s; the beat pass will process it", callback_id, exc_info=True)


@csrf_exempt
@require_POST
def stk_result(request: HttpRequest, public_id: str, secret: str) -> JsonResponse:
    row, refused = _store(request, public_id, secret, CallbackKind.STK)
    if refused:
        return refused
    transaction.on_commit(lambda: _queue(row.pk))
    return JsonResponse(ACCEPTED)


@csrf_exempt
@require_POST
def c2b_confirmation(request: HttpRequest, public_id: str, secret: str) -> JsonResponse:
    row, refused = _store(request, public_id, secret, CallbackKind.C2B_CONFIRMATION)
    if refused:
        return refused
    transaction.on_commit(lambda: _queue(row.pk))
    return JsonResponse({"ResultCode": 0, "ResultDesc": "Success"})


@csrf_exempt
@require_POST
def c2b_validation(request: HttpRequest, public_id: str, secret: str) -> JsonResponse:
    """M-Pesa asks whether to take a Paybill/Till payment: answered now, from the invoice it names."""
    row, refused = _store(request, public_id, secret, CallbackKind.C2B_VALIDATION)
    if refused:
        return refused
    # Not refused, so the public id named a clinic.
    assert row.clinic_id is not None
    code, why = c2b_decision(row.clinic_id, request.body)
    answer = {"ResultCode": code, "ResultDesc": "Accepted" if code == "0" else "Rejected"}
    Callback.objects.filter(pk=row.pk).update(status=CallbackStatus.PROCESSED, answer=f"{code} {why}"[:200])
    return JsonResponse(answer)


def c2b_decision(clinic_id: int, raw: bytes) -> tuple[str, str]:
    payment = parse_c2b(raw)
    amount = payment.whole_amount()
    if amount is None:
        return "C2B00013", "the amount is not whole shillings"
    invoice = Invoice.objects.filter(clinic_id=clinic_id, reference=normalise_reference(payment.bill_ref)).first()
    if invoice is None or invoice.status not in OPEN_STATUSES:
        return "C2B00012", "no open invoice has this account number"
    if amount > invoice.amount_due:
        return "C2B00013", f"KES {amount} is more than the KES {invoice.amount_due} due"
    return "0", f"invoice {invoice.reference}"
