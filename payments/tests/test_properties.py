"""Random interleavings of callbacks, queries, expiry, a rival booking and cancellation on one prompt.

Whatever the order and however often each arrives:
- an invoice has at most one payment, and its amount_paid is what its payments add up to;
- a paid invoice has a confirmed booking;
- a prompt recorded as paid is never downgraded;
- money kept for a booking that is not confirmed is visible as refund_due or needs_review.
"""

import contextlib
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.errors import BookingError
from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_create, stale_holds_expired
from payments.models import AttemptStatus, Invoice, InvoiceStatus, Payment, StkAttempt
from payments.settlement import stk_failure_record, stk_review_record, stk_success_record
from payments.testing import pending_attempt

from ..conftest import a_start

failure_codes = st.sampled_from(["1", "1032", "1037", "2001"])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("success_callback"), st.sampled_from(["RCPT000001", "RCPT000001", "RCPT000002"])),
        st.tuples(st.just("query_success"), st.none()),
        st.tuples(st.just("failure_callback"), failure_codes),
        st.tuples(st.just("wrong_amount"), st.none()),
        st.tuples(st.just("review"), st.none()),
        st.tuples(st.just("expire"), st.none()),
        st.tuples(st.just("rival_books"), st.none()),
        st.tuples(st.just("cancel"), st.none()),
    ),
    min_size=1,
    max_size=10,
)


class Rollback(Exception):
    pass


def apply(step: str, arg, attempt: StkAttempt, booking: Booking, service) -> None:
    if step == "success_callback":
        stk_success_record(attempt_id=attempt.pk, amount=float(attempt.amount), receipt_number=arg)
    elif step == "query_success":
        stk_success_record(attempt_id=attempt.pk, amount=attempt.amount)
    elif step == "failure_callback":
        stk_failure_record(attempt_id=attempt.pk, result_code=arg)
    elif step == "wrong_amount":
        stk_success_record(attempt_id=attempt.pk, amount=1.0, receipt_number="RCPT000009")
    elif step == "review":
        stk_review_record(attempt_id=attempt.pk, reason="M-Pesa could not say.")
    elif step == "expire":
        stale_holds_expired(now=timezone.now() + timedelta(hours=1))
    elif step == "rival_books":
        with contextlib.suppress(BookingError):
            booking_create(
                service=service,
                practitioner=booking.practitioner,
                starts_at=booking.starts_at,
                patient_name="Rival",
                patient_email="rival@example.com",
                patient_phone="0722 000 111",
                enforce_availability=False,
            )
    elif step == "cancel":
        with contextlib.suppress(BookingError):
            booking_cancel(booking=booking)


def check(invoice: Invoice, attempt: StkAttempt, ever_succeeded: bool) -> bool:
    invoice.refresh_from_db()
    attempt.refresh_from_db()
    booking = Booking.objects.get(pk=invoice.booking_id)
    payments = Payment.objects.filter(invoice=invoice)
    assert payments.count() <= 1
    assert invoice.amount_paid == (payments.aggregate(total=Sum("amount"))["total"] or 0)
    if invoice.status == InvoiceStatus.PAID:
        assert booking.status == BookingStatus.CONFIRMED
    if ever_succeeded:
        assert attempt.status == AttemptStatus.SUCCEEDED
    if invoice.amount_paid and booking.status != BookingStatus.CONFIRMED:
        assert invoice.status in (InvoiceStatus.REFUND_DUE, InvoiceStatus.NEEDS_REVIEW)
    return attempt.status == AttemptStatus.SUCCEEDED


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_no_interleaving_pays_twice_or_leaves_a_paid_invoice_unconfirmed(steps, paid_service, practitioner):
    try:
        with transaction.atomic():
            booking = booking_create(
                service=paid_service,
                practitioner=practitioner,
                starts_at=a_start(72),
                patient_name="Achieng Otieno",
                patient_email="achieng@example.com",
                patient_phone="0712 345 678",
                enforce_availability=False,
            )
            invoice = Invoice.objects.get(booking=booking)
            attempt = pending_attempt(invoice, "ws_CO_property")
            invoice.save(update_fields=invoice.move_to(InvoiceStatus.PENDING))
            succeeded = False
            for step, arg in steps:
                apply(step, arg, attempt, booking, paid_service)
                succeeded = check(invoice, attempt, succeeded)
            raise Rollback
    except Rollback:
        pass
