"""payment.completed and payment.failed carry the invoice, the receipt or the reason: a real M-Pesa flow
(our client, the Daraja emulator, its callback) through to the sandbox receiver on the live server."""

import json

import pytest

from api.tests.webhook_fixtures import endpoint_at_receiver
from meetings.testing.scenes import wait_for
from payments.conftest import CANCEL_PHONE, SUCCESS_PHONE
from payments.models import Invoice, Payment, StkAttempt
from payments.stk import stk_push_start
from sandbox.daraja import faults
from sandbox.models import ReceivedWebhook

pytestmark = pytest.mark.django_db(transaction=True)

PAYMENT_EVENTS = ["payment.completed", "payment.failed"]


def received(event_type: str) -> ReceivedWebhook:
    wait_for(lambda: ReceivedWebhook.objects.filter(event_type=event_type).exists(), timeout=15)
    return ReceivedWebhook.objects.get(event_type=event_type)


@pytest.fixture
def receiver(clinic, live_server):
    return endpoint_at_receiver(clinic, live_server.url, events=PAYMENT_EVENTS)


def test_a_paid_prompt_sends_payment_completed_with_the_receipt(receiver, mpesa, book):
    invoice = Invoice.objects.get(booking=book(phone=SUCCESS_PHONE))

    stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    message = received("payment.completed")
    data = json.loads(message.body)["data"]
    payment = Payment.objects.get(invoice=invoice)
    assert message.verified
    assert data["booking_id"] == invoice.booking_id
    assert (data["invoice"]["id"], data["invoice"]["reference"]) == (invoice.pk, invoice.reference)
    assert (data["invoice"]["status"], data["invoice"]["amount"], data["invoice"]["amount_paid"]) == (
        "paid",
        1500,
        1500,
    )
    assert data["invoice"]["paid_at"].endswith("+03:00")
    assert data["payment"]["receipt_number"] == payment.receipt_number and len(payment.receipt_number) == 10
    assert (data["payment"]["amount"], data["payment"]["source"]) == (1500, "stk")
    assert data["payment"]["received_at"].endswith("+03:00")
    assert data["invoice"]["attempts"][0]["receipt_number"] == payment.receipt_number
    assert "700000000" not in message.body  # the phone shows its last three digits only
    assert not ReceivedWebhook.objects.filter(event_type="payment.failed").exists()


def test_a_prompt_cancelled_on_the_phone_sends_payment_failed_with_the_reason(receiver, mpesa, invoice):
    attempt = stk_push_start(invoice=invoice, phone=CANCEL_PHONE)

    message = received("payment.failed")
    data = json.loads(message.body)["data"]
    assert message.verified
    assert data["reason"] == "The payment was cancelled on the phone."
    assert (data["attempt"]["id"], data["attempt"]["status"]) == (attempt.pk, "failed")
    assert data["attempt"]["completed_at"].endswith("+03:00")
    assert (data["invoice"]["id"], data["invoice"]["status"], data["invoice"]["amount_paid"]) == (
        invoice.pk,
        "unpaid",
        0,
    )
    assert data["booking_id"] == invoice.booking_id


def test_a_prompt_daraja_refuses_sends_payment_failed_in_darajas_words(receiver, mpesa, invoice):
    faults.inject("stkpush", "spike")

    stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    data = json.loads(received("payment.failed").body)["data"]
    sentence = "M-Pesa is receiving too many requests (spike arrest). Try again in a few seconds."
    assert data["reason"] == data["attempt"]["reason"] == sentence
    assert StkAttempt.objects.get().reason == sentence
