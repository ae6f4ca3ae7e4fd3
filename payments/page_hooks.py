"""What the booking pages show about payments, given to bookings through its hooks."""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from bookings import hooks
from bookings.models import Booking
from clinicpro.models import Membership

from .models import AttemptStatus, Invoice, InvoiceStatus, MpesaSettings, Payment
from .stk import open_attempt


def _local_phone(e164: str) -> str:
    """+254712345678 → 0712345678, how Kenyans type their number."""
    return "0" + e164[4:] if e164.startswith("+254") else e164


@hooks.register_payment_instructions
def payment_instructions(request: HttpRequest, booking: Booking) -> str:
    invoice = Invoice.objects.filter(booking=booking).first()
    mpesa = MpesaSettings.objects.filter(clinic_id=booking.clinic_id).first()
    if invoice is None or mpesa is None or not mpesa.is_usable or not invoice.is_open:
        return ""
    return render_to_string(
        "payments/_pay_box.html",
        {
            "invoice": invoice,
            "booking": booking,
            "mpesa": mpesa,
            "phone": _local_phone(booking.patient.phone),
            "open_attempt": open_attempt(invoice),
            "last_failed": invoice.attempts.filter(status=AttemptStatus.FAILED).first(),
        },
        request=request,
    )


@hooks.register_manage_panel
def receipt(request: HttpRequest, booking: Booking) -> str:
    invoice = Invoice.objects.filter(booking=booking).first()
    if invoice is None:
        return ""
    payments = list(Payment.objects.filter(invoice=invoice).order_by("received_at"))
    if not payments:
        return ""
    return render_to_string(
        "payments/_receipt.html",
        {"invoice": invoice, "payments": payments, "clinic": booking.clinic},
        request=request,
    )


@hooks.register_dashboard_panel
def booking_panel(request: HttpRequest, booking: Booking) -> str:
    invoice = Invoice.objects.filter(booking=booking).first()
    if invoice is None:
        return ""
    return render_to_string(
        "payments/_booking_panel.html",
        {
            "invoice": invoice,
            "attempts": list(invoice.attempts.all()[:10]),
            "payments": list(invoice.payments.all()),
            "clinic": booking.clinic,
        },
        request=request,
    )


ATTENTION_STATUSES = (InvoiceStatus.REFUND_DUE, InvoiceStatus.NEEDS_REVIEW)


def _invoices_needing_attention(membership: Membership) -> QuerySet[Invoice]:
    return Invoice.objects.filter(clinic=membership.clinic, status__in=ATTENTION_STATUSES, resolved_at__isnull=True)


def attention_candidates(request: HttpRequest) -> list[QuerySet[Any]]:
    membership = getattr(request, "membership", None)
    return [_invoices_needing_attention(membership)] if isinstance(membership, Membership) else []


@hooks.register_dashboard_banner(candidates=attention_candidates)
def attention_banner(request: HttpRequest) -> list[str]:
    membership = getattr(request, "membership", None)
    if not isinstance(membership, Membership):
        return []
    counted = _invoices_needing_attention(membership).values("status").annotate(total=Count("pk"))
    counts = {status: 0 for status in ATTENTION_STATUSES} | {row["status"]: row["total"] for row in counted}
    if not any(counts.values()):
        return []
    url = reverse("payments_dashboard", args=[membership.clinic.slug])
    return [
        format_html(
            'Payments need attention: {} refund{} due, {} to review. <a href="{}">Open payments</a>',
            counts[InvoiceStatus.REFUND_DUE],
            "" if counts[InvoiceStatus.REFUND_DUE] == 1 else "s",
            counts[InvoiceStatus.NEEDS_REVIEW],
            url,
        )
    ]
