"""Invoices and their M-Pesa payments (read), and starting an M-Pesa prompt for one.

The prompt goes through `payments.stk.stk_push_start`, the service the patient's
own page calls; this view only picks the phone and turns its answer into HTTP.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from payments.models import AttemptStatus, InvoiceStatus
from payments.stk import PaymentRefused, stk_push_start

from .. import selectors
from ..auth import caller_of, require_write
from ..idempotency import idempotent_outside_transaction
from ..problems import ApiProblem, payment_problem
from ..renderers import as_json
from ..schemas import InvoiceOut, InvoicePage, Problem, StkAttemptOut, StkPushIn
from ..serializers import attempt_doc, invoice_doc
from .common import ERRORS, IDEMPOTENCY_DOC, WRITE_ERRORS

router = Router(tags=["Payments"])


class InvoiceFilters(Schema):
    status: InvoiceStatus | None = None
    booking_id: int | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=25, ge=1, le=100)


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, summary="List invoices, newest first")
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> dict[str, Any]:
    rows, next_cursor = selectors.invoice_page(
        caller_of(request).clinic,
        status=filters.status or "",
        booking_id=filters.booking_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [invoice_doc(invoice) for invoice in rows], "next_cursor": next_cursor}


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Get an invoice with its payments")
def get_invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return invoice_doc(selectors.clinic_invoice(caller_of(request).clinic, invoice_id))


@router.get(
    "/bookings/{booking_id}/invoice",
    response={200: InvoiceOut, **ERRORS},
    summary="The booking's invoice",
    description="404 `no_invoice` for a booking that is not paid for online.",
)
def get_booking_invoice(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return invoice_doc(selectors.booking_invoice(caller_of(request).clinic, booking_id))


@router.post(
    "/invoices/{invoice_id}/stk-push",
    response={202: StkAttemptOut, **WRITE_ERRORS, 502: Problem},
    summary="Send an M-Pesa prompt for what the invoice still owes",
    description=(
        "Answers 202 with the prompt, waiting on the phone; follow it on the invoice, or with the "
        "`payment.completed` and `payment.failed` webhooks. One prompt at a time per invoice."
    ),
    openapi_extra=IDEMPOTENCY_DOC,
)
def start_stk_push(request: HttpRequest, invoice_id: int, payload: StkPushIn) -> HttpResponse:
    caller = require_write(request)
    invoice = selectors.clinic_invoice(caller.clinic, invoice_id)
    phone = payload.phone or invoice.booking.patient.phone

    def push() -> tuple[int, Any]:
        try:
            attempt = stk_push_start(invoice=invoice, phone=phone, reuse_open=False)
        except PaymentRefused as exc:
            raise payment_problem(exc) from None
        if attempt.status == AttemptStatus.FAILED:
            raise ApiProblem(502, "mpesa_error", "M-Pesa refused the payment prompt", attempt.reason)
        return 202, as_json(attempt_doc(attempt, invoice.clinic.zone))

    return idempotent_outside_transaction(request, caller, payload.model_dump(mode="json"), push)
