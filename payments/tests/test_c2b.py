"""Paybill/Till payments: URLs registered with Daraja, validation decides, confirmation settles once."""

import pytest

from bookings.models import Booking, BookingStatus
from meetings.testing.scenes import wait_for
from payments.gateway import daraja_for
from payments.models import Callback, CallbackKind, CallbackStatus, InvoiceStatus, Payment
from payments.services import mpesa_c2b_register
from payments.testing import c2b_body, post_json
from payments.urls_callbacks import callback_url
from sandbox.daraja.models import C2BRegistration, C2BTransaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def registered(mpesa):
    assert mpesa_c2b_register(mpesa=mpesa) == ""
    return mpesa


def simulate(mpesa, *, amount: int, bill_ref: str, phone: str = "0708374149") -> C2BTransaction:
    daraja_for(mpesa).c2b_simulate(amount=amount, phone=phone, bill_ref=bill_ref)
    row = C2BTransaction.objects.latest("created_at")
    return wait_for(lambda: (r := C2BTransaction.objects.get(pk=row.pk)).validation_answer and r, timeout=20)


def test_registration_is_kept_and_a_second_one_is_refused_in_words(registered):
    registration = C2BRegistration.objects.get()
    assert registration.confirmation_url == callback_url(registered, "c2b_confirmation")
    assert registration.response_type == "Completed"
    registered.refresh_from_db()
    assert registered.c2b_registered_at is not None

    problem = mpesa_c2b_register(mpesa=registered)

    assert problem == "The payment URLs are already registered for this shortcode."


def test_a_paybill_payment_with_the_reference_typed_loosely_pays_the_invoice(registered, invoice):
    typed = f" {invoice.reference[:4].lower()} {invoice.reference[4:]} "

    row = simulate(registered, amount=1500, bill_ref=typed)

    assert row.validation_answer == "200 0"
    wait_for(lambda: Payment.objects.filter(invoice=invoice).exists(), timeout=20)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED
    payment = Payment.objects.get(invoice=invoice)
    assert payment.receipt_number == row.trans_id and payment.phone == "25470****149"


def test_an_unknown_account_number_is_rejected_at_validation(registered, invoice):
    row = simulate(registered, amount=1500, bill_ref="NOSUCHREF")

    assert row.validation_answer == "200 C2B00012"
    assert not row.confirmed and not Payment.objects.exists()


def test_more_than_is_due_is_rejected_at_validation(registered, invoice):
    row = simulate(registered, amount=2000, bill_ref=invoice.reference)

    assert row.validation_answer == "200 C2B00013"
    assert not Payment.objects.exists()


def test_partial_payments_add_up_to_paid(registered, invoice):
    simulate(registered, amount=500, bill_ref=invoice.reference)
    wait_for(lambda: Payment.objects.count() == 1, timeout=20)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID and invoice.amount_paid == 500 and invoice.amount_due == 1000

    simulate(registered, amount=1000, bill_ref=invoice.reference)
    wait_for(lambda: Payment.objects.count() == 2, timeout=20)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_paid == 1500


def test_an_overpayment_confirmed_without_validation_goes_to_review(mpesa, invoice):
    body = c2b_body(bill_ref=invoice.reference, amount="2000", shortcode=mpesa.shortcode)

    response = post_json(callback_url(mpesa, "c2b_confirmation"), body)

    assert response.json() == {"ResultCode": 0, "ResultDesc": "Success"}
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.NEEDS_REVIEW and "Overpaid by KES 500" in invoice.status_reason
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED


def test_a_repeated_confirmation_is_recorded_once(mpesa, invoice):
    body = c2b_body(bill_ref=invoice.reference, amount="1500", shortcode=mpesa.shortcode)

    for _ in range(3):
        post_json(callback_url(mpesa, "c2b_confirmation"), body)

    assert Payment.objects.count() == 1
    statuses = sorted(Callback.objects.filter(kind=CallbackKind.C2B_CONFIRMATION).values_list("status", flat=True))
    assert statuses == [CallbackStatus.DUPLICATE, CallbackStatus.DUPLICATE, CallbackStatus.PROCESSED]


def test_a_string_amount_with_cents_is_rejected(mpesa, invoice):
    body = c2b_body(bill_ref=invoice.reference, amount="1500.50", shortcode=mpesa.shortcode)

    response = post_json(callback_url(mpesa, "c2b_validation"), body)

    assert response.json() == {"ResultCode": "C2B00013", "ResultDesc": "Rejected"}


def test_registering_urls_holding_banned_words_is_refused_by_the_client(mpesa):
    with pytest.raises(ValueError, match="sql"):
        daraja_for(mpesa).c2b_register(confirmation_url="https://x.example/sql/c", validation_url="https://x.example/v")
