"""The patient pays from the manage page: a prompt to their phone, and a page that waits with them."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookings import hooks, selectors

from ..forms import PayForm
from ..models import AttemptStatus, Callback, CallbackStatus, Invoice, StkAttempt
from ..processing import callback_claim, callback_process
from ..reconciliation import QUERY_INTERVAL, attempt_reconcile
from ..stk import PaymentRefused, stk_push_start


def _invoice(token: str) -> Invoice:
    booking = selectors.booking_by_token(token)
    invoice = Invoice.objects.select_related("booking", "clinic").filter(booking=booking).first()
    if invoice is None:
        raise Http404("This booking has nothing to pay.")
    return invoice


@require_POST
def pay(request: HttpRequest, token: str) -> HttpResponse:
    invoice = _invoice(token)
    form = PayForm(request.POST)
    if not form.is_valid():
        # ErrorList's items are messages (it unwraps ValidationError), which django-stubs does not declare.
        messages.error(request, form.errors["phone"][0])  # type: ignore[arg-type]
        return redirect("booking_manage", token=token)
    try:
        attempt = stk_push_start(invoice=invoice, phone=form.cleaned_data["phone"])
    except PaymentRefused as exc:
        messages.error(request, str(exc))
        return redirect("booking_manage", token=token)
    return redirect("payments_waiting", token=token, attempt_id=attempt.pk)


def _attempt(token: str, attempt_id: int) -> StkAttempt:
    invoice = _invoice(token)
    return get_object_or_404(StkAttempt.objects.select_related("invoice__booking"), pk=attempt_id, invoice=invoice)


def _catch_up(attempt: StkAttempt) -> StkAttempt:
    """While the patient waits, process what arrived for this prompt and ask M-Pesa when it is quiet too long."""
    if not attempt.is_open:
        return attempt
    if attempt.checkout_request_id:
        for callback_id in Callback.objects.filter(
            external_id=attempt.checkout_request_id, status=CallbackStatus.RECEIVED
        ).values_list("pk", flat=True):
            if callback_claim(callback_id):
                callback_process(callback_id, claimed=True)
    now = timezone.now()
    quiet = (now - attempt.created_at).total_seconds() > settings.PAYMENTS_RECONCILE_AFTER_SECONDS
    asked_lately = attempt.last_queried_at and now - attempt.last_queried_at < QUERY_INTERVAL
    claimed = (
        quiet
        and not asked_lately
        and StkAttempt.objects.filter(pk=attempt.pk, last_queried_at=attempt.last_queried_at).update(
            last_queried_at=now
        )
    )
    if claimed:
        attempt_reconcile(attempt.pk)
    attempt.refresh_from_db()
    return attempt


def _context(request: HttpRequest, attempt: StkAttempt) -> dict:
    booking = attempt.invoice.booking
    booking.refresh_from_db()
    return {
        "attempt": attempt,
        "invoice": attempt.invoice,
        "booking": booking,
        "clinic": booking.clinic,
        "payment": getattr(attempt, "payment", None) if attempt.status == AttemptStatus.SUCCEEDED else None,
        "conference": hooks.conference_for(booking, "patient") if booking.is_online else None,
        "form": PayForm(initial={"phone": attempt.phone}),
    }


@require_GET
def waiting(request: HttpRequest, token: str, attempt_id: int) -> HttpResponse:
    attempt = _catch_up(_attempt(token, attempt_id))
    return render(request, "payments/waiting.html", _context(request, attempt))


@require_GET
def status(request: HttpRequest, token: str, attempt_id: int) -> HttpResponse:
    attempt = _catch_up(_attempt(token, attempt_id))
    return render(request, "payments/_attempt_status.html", _context(request, attempt))
