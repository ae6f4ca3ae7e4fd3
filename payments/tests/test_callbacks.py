"""Callbacks over HTTP: stored first, authentic ones processed exactly once, forged ones change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from meetings.models import Meeting
from meetings.testing.scenes import wait_for
from payments.models import AttemptStatus, Callback, CallbackStatus, InvoiceStatus, Payment, StkAttempt
from payments.services import mpesa_secret_rotate
from payments.signals import payment_changing, payment_completed
from payments.stk import stk_push_start
from payments.testing import post_json, stk_body
from payments.urls_callbacks import callback_url
from sandbox.daraja import faults
from sandbox.daraja.models import StkPrompt

from ..conftest import SUCCESS_PHONE, mpesa_for

pytestmark = pytest.mark.django_db(transaction=True)


def paid(invoice):
    def probe():
        invoice.refresh_from_db()
        return invoice.status == InvoiceStatus.PAID

    return wait_for(probe, timeout=20)


def callbacks_done(checkout_id: str, expected: int):
    def probe():
        rows = list(Callback.objects.filter(external_id=checkout_id).values_list("status", flat=True))
        done = [s for s in rows if s in (CallbackStatus.PROCESSED, CallbackStatus.DUPLICATE)]
        return sorted(rows) if len(done) == expected else None

    return wait_for(probe, timeout=30)


def prompt_answered(checkout_id: str) -> StkPrompt:
    return wait_for(
        lambda: StkPrompt.objects.filter(checkout_request_id=checkout_id, status=StkPrompt.Status.DONE).first()
    )


def test_sequential_duplicates_pay_once_and_make_one_meeting(mpesa, invoice):
    completed, changing = [], []
    payment_completed.connect(lambda **kw: completed.append(kw["payment"].pk), weak=False, dispatch_uid="t1")
    payment_changing.connect(lambda **kw: changing.append(kw["event"]), weak=False, dispatch_uid="t2")
    faults.inject("callback", "duplicate", copies=3)
    try:
        attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
        statuses = callbacks_done(attempt.checkout_request_id, 3)
    finally:
        payment_completed.disconnect(dispatch_uid="t1")
        payment_changing.disconnect(dispatch_uid="t2")

    assert statuses == ["duplicate", "duplicate", "processed"]
    assert completed == [Payment.objects.get().pk] and changing == ["completed"]
    paid(invoice)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Meeting.objects.filter(booking_id=invoice.booking_id).count() == 1


def test_twenty_concurrent_duplicates_pay_once_and_make_one_meeting(mpesa, invoice):
    faults.inject("callback", "duplicate", copies=20, concurrent=True)
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    statuses = callbacks_done(attempt.checkout_request_id, 20)

    assert statuses.count("processed") == 1 and statuses.count("duplicate") == 19
    paid(invoice)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED
    assert Meeting.objects.filter(booking_id=invoice.booking_id).count() == 1


def _dropped_and_answered(invoice) -> StkAttempt:
    """A prompt M-Pesa says was paid, whose own callback never came."""
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    prompt_answered(attempt.checkout_request_id)
    return attempt


def test_a_wrong_secret_is_stored_as_rejected_answered_404_and_changes_nothing(mpesa, invoice):
    attempt = _dropped_and_answered(invoice)
    url = callback_url(mpesa, "stk", secret="not-the-secret")

    response = post_json(url, stk_body(attempt.checkout_request_id, amount=1500))

    assert response.status_code == 404
    row = Callback.objects.get(external_id="", status=CallbackStatus.REJECTED)
    assert "CheckoutRequestID" in row.body and row.error == "Wrong callback secret." and row.source_ip == "127.0.0.1"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PENDING and not Payment.objects.exists()


def test_another_clinics_path_cannot_pay_this_clinics_prompt(mpesa, invoice, other_clinic, daraja_url):
    attempt = _dropped_and_answered(invoice)
    theirs = mpesa_for(other_clinic, daraja_url, shortcode="600000")

    response = post_json(callback_url(theirs, "stk"), stk_body(attempt.checkout_request_id, amount=1500))

    assert response.status_code == 200  # authentic for that clinic, so Safaricom is not asked to resend
    row = Callback.objects.get(external_id=attempt.checkout_request_id)
    assert row.clinic_id == other_clinic.pk and row.status in (CallbackStatus.RECEIVED, CallbackStatus.UNMATCHED)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING and not Payment.objects.exists()


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"Body": {}}', "stkCallback is missing"),
        (b'{"Body": {"stkCallback": {"ResultCode": 1032}}}', "CheckoutRequestID"),
        (b'{"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": "abc"}}}', "ResultCode"),
        (
            b'{"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 0, "CallbackMetadata": '
            b'{"Item": [{"Name": "Amount", "Value": "lots"}, {"Name": "MpesaReceiptNumber", "Value": "X"}]}}}}',
            "Amount",
        ),
    ],
)
def test_malformed_bodies_are_stored_and_answered_400_with_the_reason(mpesa, raw, says):
    response = post_json(callback_url(mpesa, "stk"), None, raw=raw)

    assert response.status_code == 400
    assert says in response.json()["ResultDesc"]
    row = Callback.objects.get()
    assert row.status == CallbackStatus.MALFORMED and row.body == raw.decode() and says in row.error


def test_a_success_for_another_amount_goes_to_review_instead_of_paying(mpesa, invoice):
    attempt = _dropped_and_answered(invoice)

    response = post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=15.0))

    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.NEEDS_REVIEW and "KES 15" in invoice.status_reason
    assert not Payment.objects.exists()
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.AWAITING_PAYMENT


def test_a_success_callback_while_mpesa_still_processes_waits_instead_of_paying(mpesa, invoice):
    # A number without a scripted answer: the prompt stays open on the virtual phone.
    attempt = stk_push_start(invoice=invoice, phone="0711 222 333")

    post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=1500))

    row = Callback.objects.get(external_id=attempt.checkout_request_id)
    assert row.status == CallbackStatus.RECEIVED and "being processed" in row.error
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING and not Payment.objects.exists()


def test_a_failure_after_a_recorded_success_changes_nothing(mpesa, invoice):
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    paid(invoice)

    post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, result_code=1032))

    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and invoice.status == InvoiceStatus.PAID


def test_the_old_secret_works_during_the_grace_period_only(mpesa, invoice, settings):
    attempt = _dropped_and_answered(invoice)
    old_url = callback_url(mpesa, "stk")
    mpesa_secret_rotate(mpesa=mpesa)

    assert post_json(old_url, stk_body(attempt.checkout_request_id, result_code=1032)).status_code == 200
    type(mpesa).objects.filter(pk=mpesa.pk).update(
        secret_rotated_at=timezone.now() - timedelta(hours=settings.PAYMENTS_CALLBACK_SECRET_GRACE_HOURS + 1)
    )
    assert post_json(old_url, stk_body(attempt.checkout_request_id, result_code=1032)).status_code == 404


def test_the_allowlist_trusts_only_the_configured_number_of_proxies(mpesa, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    type(mpesa).objects.filter(pk=mpesa.pk).update(allowed_ips="196.201.214.200\n196.201.214.206")
    url = callback_url(mpesa, "stk")
    body = stk_body("ws_CO_unknown", result_code=1032)

    spoofed = post_json(url, body, headers={"X-Forwarded-For": "196.201.214.200, 10.0.0.9"})
    through_proxy = post_json(url, body, headers={"X-Forwarded-For": "10.0.0.9, 196.201.214.200"})

    assert spoofed.status_code == 404 and through_proxy.status_code == 200
    rejected = Callback.objects.get(status=CallbackStatus.REJECTED)
    assert rejected.source_ip == "10.0.0.9" and "allowlist" in rejected.error
