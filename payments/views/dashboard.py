"""The clinic's payments: prompts, receipts, the review and refund queues, CSV for the accountant, settings."""

import csv

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinicpro.tenancy import ClinicRequest, clinic_view, owner_only

from ..daraja.phones import mask_msisdn
from ..forms import MpesaSettingsForm, ResolveForm
from ..models import Invoice, InvoiceStatus, MpesaSettings, Payment, StkAttempt
from ..services import mpesa_secret_rotate, mpesa_settings_test
from ..urls_callbacks import callback_urls

ROWS = 100


def _filtered(request: ClinicRequest) -> tuple[QuerySet[Invoice], str, str]:
    invoices = Invoice.objects.filter(clinic=request.clinic).select_related("booking__patient", "booking__service")
    status, query = request.GET.get("status", ""), request.GET.get("q", "").strip()
    if status in InvoiceStatus.values:
        invoices = invoices.filter(status=status)
    if query:
        invoices = invoices.filter(Q(reference__iexact=query) | Q(booking__patient__name__icontains=query))
    return invoices, status, query


@clinic_view()
def payments_dashboard(request: ClinicRequest) -> HttpResponse:
    invoices, status, query = _filtered(request)
    clinic = request.clinic
    attempts = StkAttempt.objects.filter(clinic=clinic).select_related("invoice")[:ROWS]
    context = {
        "invoices": invoices[:ROWS],
        "attempts": [(attempt, mask_msisdn(attempt.phone)) for attempt in attempts],
        "payments": [
            (p, mask_msisdn(p.phone)) for p in Payment.objects.filter(clinic=clinic).select_related("invoice")[:ROWS]
        ],
        "review_queue": Invoice.objects.filter(
            clinic=clinic, status=InvoiceStatus.NEEDS_REVIEW, resolved_at__isnull=True
        ),
        "refund_queue": Invoice.objects.filter(
            clinic=clinic, status=InvoiceStatus.REFUND_DUE, refunded_at__isnull=True
        ),
        "unmatched": Payment.objects.filter(clinic=clinic, invoice__isnull=True),
        "statuses": InvoiceStatus.choices,
        "status": status,
        "query": query,
        "resolve_form": ResolveForm(),
    }
    return render(request, "payments/dashboard.html", context)


@clinic_view()
def payments_csv(request: ClinicRequest) -> HttpResponse:
    invoices, _, _ = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{request.clinic.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["invoice", "status", "amount", "paid", "receipt", "source", "phone", "received_at", "booking_start"]
    )
    for invoice in invoices:
        payments: list[Payment | None] = list(invoice.payments.all()) or [None]
        for payment in payments:
            writer.writerow(
                [
                    invoice.reference,
                    invoice.status,
                    invoice.amount,
                    invoice.amount_paid,
                    payment.receipt_number if payment else "",
                    payment.source if payment else "",
                    mask_msisdn(payment.phone) if payment else "",
                    payment.received_at.isoformat() if payment else "",
                    invoice.booking.starts_at.isoformat(),
                ]
            )
    return response


@require_POST
@clinic_view()
def invoice_action(request: ClinicRequest, invoice_id: int, action: str) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=invoice_id, clinic=request.clinic)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a note saying what was done.")
        return redirect("payments_dashboard", clinic_slug=request.clinic.slug)
    note = f"{timezone.now():%Y-%m-%d %H:%M} {request.user}: {form.cleaned_data['note']}"
    if action == "resolve" and invoice.status == InvoiceStatus.NEEDS_REVIEW:
        Invoice.objects.filter(pk=invoice.pk).update(resolved_at=timezone.now(), resolution_note=note)
        messages.success(request, f"Invoice {invoice.reference} marked as reviewed.")
    elif action == "refunded" and invoice.status == InvoiceStatus.REFUND_DUE:
        Invoice.objects.filter(pk=invoice.pk).update(refunded_at=timezone.now(), resolution_note=note)
        messages.success(request, f"Refund of invoice {invoice.reference} recorded.")
    else:
        messages.error(request, "That cannot be done to this invoice.")
    return redirect("payments_dashboard", clinic_slug=request.clinic.slug)


@owner_only
def mpesa_settings_page(request: ClinicRequest) -> HttpResponse:
    mpesa = MpesaSettings.objects.filter(clinic=request.clinic).first()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "test" and mpesa is not None:
            problem = mpesa_settings_test(mpesa=mpesa)
            if problem:
                messages.error(request, f"Connection failed: {problem}")
            else:
                messages.success(request, "Connected: M-Pesa accepted the consumer key and secret.")
            return redirect("payments_settings", clinic_slug=request.clinic.slug)
        if action == "rotate" and mpesa is not None:
            mpesa_secret_rotate(mpesa=mpesa)
            messages.success(request, "New callback secret made; the old one keeps working for a grace period.")
            return redirect("payments_settings", clinic_slug=request.clinic.slug)
        form = MpesaSettingsForm(request.POST, instance=mpesa)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.clinic = request.clinic
            saved.save()
            messages.success(request, "M-Pesa settings saved.")
            return redirect("payments_settings", clinic_slug=request.clinic.slug)
    else:
        form = MpesaSettingsForm(instance=mpesa)
    return render(
        request,
        "payments/settings.html",
        {"form": form, "mpesa": mpesa, "urls": callback_urls(mpesa) if mpesa else {}},
    )
