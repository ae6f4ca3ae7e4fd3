"""Real M-Pesa payments, end to end over HTTP, become the patient's receipt and the clinic's alerts.

The clinic's M-Pesa is the Daraja emulator on the live server: our client sends
the prompt, the emulator's phone answers and posts the callback to our callback
URL, and the texts go to the Africa's Talking emulator.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, CancelledBy, ConfirmationPolicy
from bookings.services import booking_cancel, booking_create, booking_mark_paid, stale_holds_expired
from clinicpro.testing.factories import PASSWORD
from notifications.conftest import wait_for
from notifications.models import Channel, Kind, Message, MessageStatus, RecipientRole
from payments.conftest import SUCCESS_PHONE, mpesa_for
from payments.models import Callback, CallbackStatus, Invoice, InvoiceStatus, Payment, StkAttempt
from payments.testing import post_json, stk_body
from payments.urls_callbacks import callback_url
from sandbox.daraja import faults as daraja_faults
from sandbox.daraja.models import StkPrompt
from sandbox.models import TextMessage

pytestmark = pytest.mark.django_db(transaction=True)

# A number without a scripted answer: its prompt waits on the virtual phone.
WAITING_PHONE = "0711 222 333"
DONE = (CallbackStatus.PROCESSED, CallbackStatus.DUPLICATE)


@pytest.fixture
def mpesa(clinic, messaging, gateways, settings):
    settings.PAYMENTS_CALLBACK_BASE_URL = gateways
    yield mpesa_for(clinic, f"{gateways}/sandbox/daraja")
    daraja_faults.clear()


@pytest.fixture
def paid_booking(mpesa, service, practitioner, owner):
    service.price, service.confirmation_policy = 1500, ConfirmationPolicy.PAYMENT
    service.save()
    return booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=(timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0),
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )


def pay(client, booking: Booking, phone: str) -> StkAttempt:
    """The patient asks for the M-Pesa prompt on the booking's pay page."""
    client.post(reverse("payments_pay", args=[booking.token]), {"phone": phone})
    return StkAttempt.objects.get(invoice__booking=booking)


def callbacks_done(attempt: StkAttempt, count: int) -> list[str]:
    def probe():
        rows = Callback.objects.filter(external_id=attempt.checkout_request_id)
        statuses = list(rows.values_list("status", flat=True))
        return sorted(statuses) if len(statuses) == count and all(s in DONE for s in statuses) else None

    return wait_for(probe, timeout=20)


def receipts(booking: Booking):
    return Message.objects.filter(booking=booking, kind=Kind.PAYMENT_RECEIPT)


def refund_notices(booking: Booking):
    return Message.objects.filter(booking=booking, kind=Kind.PAYMENT_REFUND)


def owner_alerts():
    return Message.objects.filter(kind=Kind.ALERT, recipient_role=RecipientRole.OWNER)


def text_sent(message: Message) -> TextMessage:
    def probe():
        message.refresh_from_db()
        return message.status in (MessageStatus.SENT, MessageStatus.DELIVERED)

    wait_for(probe)
    return TextMessage.objects.get(message_id=message.provider_message_id)


def test_a_paid_prompt_texts_the_patient_the_mpesa_receipt_number_and_amount(client, paid_booking):
    attempt = pay(client, paid_booking, SUCCESS_PHONE)

    callbacks_done(attempt, 1)
    payment = Payment.objects.get(invoice__booking=paid_booking)
    sms = receipts(paid_booking).get(channel=Channel.SMS)
    on_phone = text_sent(sms)
    assert on_phone.to == "+254712345678"
    assert "KES 1,500 received for Online consultation" in on_phone.body
    assert f"Receipt {payment.receipt_number}." in on_phone.body and len(payment.receipt_number) == 10
    email = receipts(paid_booking).get(channel=Channel.EMAIL)
    assert email.subject == "Payment received: KES 1,500" and f"M-Pesa receipt: {payment.receipt_number}" in email.body


def test_a_payment_recorded_at_the_desk_sends_the_patient_a_receipt_without_an_mpesa_number(paid_booking):
    booking_mark_paid(booking=Booking.objects.get(pk=paid_booking.pk))

    email = receipts(paid_booking).get(channel=Channel.EMAIL)
    assert email.to == "achieng@example.com" and email.subject == "Payment received: KES 1,500"
    assert "M-Pesa receipt" not in email.body
    on_phone = text_sent(receipts(paid_booking).get(channel=Channel.SMS))
    assert "KES 1,500 received for Online consultation" in on_phone.body and "Receipt" not in on_phone.body


def test_duplicated_callbacks_still_send_one_receipt(client, paid_booking):
    daraja_faults.inject("callback", "duplicate", copies=3)

    attempt = pay(client, paid_booking, SUCCESS_PHONE)

    assert callbacks_done(attempt, 3) == ["duplicate", "duplicate", "processed"]
    assert sorted(receipts(paid_booking).values_list("channel", flat=True)) == [Channel.EMAIL, Channel.SMS]
    text_sent(receipts(paid_booking).get(channel=Channel.SMS))
    assert TextMessage.objects.filter(body__contains="KES 1,500 received").count() == 1


def test_a_payment_landing_after_the_slot_was_taken_alerts_the_owner_once_that_a_refund_is_due(
    client, paid_booking, service, practitioner, owner, clinic
):
    attempt = pay(client, paid_booking, WAITING_PHONE)
    Booking.objects.filter(pk=paid_booking.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    stale_holds_expired()
    booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=paid_booking.starts_at,
        patient_name="Baraka Mwangi",
        patient_email="baraka@example.com",
        patient_phone="0722 000 111",
        enforce_availability=False,
    )
    daraja_faults.inject("callback", "duplicate", copies=2)

    # The patient enters the PIN on the virtual phone only now; M-Pesa then calls back (twice).
    client.post(
        reverse("sandbox_daraja_phone_answer", args=[attempt.checkout_request_id]), {"action": "pin", "pin": "1234"}
    )

    callbacks_done(attempt, 2)
    assert Invoice.objects.get(booking=paid_booking).status == InvoiceStatus.REFUND_DUE
    [alert] = owner_alerts()
    assert alert.to == owner.email and alert.subject.startswith("A payment must be refunded: Online consultation")
    assert "released" in alert.body
    assert not receipts(paid_booking).exists()
    client.login(username="owner", password=PASSWORD)
    assert alert.subject in client.get(reverse("clinic_dashboard", args=[clinic.slug])).content.decode()
    # The patient paid for a time they no longer have: they are told, once, on each of their channels.
    assert sorted(refund_notices(paid_booking).values_list("channel", flat=True)) == [Channel.EMAIL, Channel.SMS]
    on_phone = text_sent(refund_notices(paid_booking).get(channel=Channel.SMS))
    assert on_phone.to == "+254712345678"
    assert "KES 1,500 received for Online consultation" in on_phone.body
    assert "booked by someone else before your payment arrived. The clinic will refund you." in on_phone.body
    payment = Payment.objects.get(invoice__booking=paid_booking)
    assert f"Receipt {payment.receipt_number}." in on_phone.body


def test_cancelling_a_paid_booking_tells_the_patient_the_payment_will_be_refunded(client, paid_booking):
    attempt = pay(client, paid_booking, SUCCESS_PHONE)
    callbacks_done(attempt, 1)
    assert not refund_notices(paid_booking).exists()

    booking_cancel(booking=Booking.objects.get(pk=paid_booking.pk), by=CancelledBy.PATIENT)

    assert Invoice.objects.get(booking=paid_booking).status == InvoiceStatus.REFUND_DUE
    email = refund_notices(paid_booking).get(channel=Channel.EMAIL)
    assert email.to == "achieng@example.com"
    assert email.subject == "Your payment will be refunded: Online consultation"
    assert "but the booking was cancelled." in email.body and "will refund the payment" in email.body
    assert refund_notices(paid_booking).count() == 2  # email and SMS, once


def test_a_callback_for_another_amount_alerts_once_that_the_payment_needs_review(client, paid_booking, mpesa):
    daraja_faults.inject("callback", "drop")
    attempt = pay(client, paid_booking, SUCCESS_PHONE)
    wait_for(lambda: StkPrompt.objects.filter(status=StkPrompt.Status.DONE).exists())

    for _ in range(2):
        answer = post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=15.0))
        assert answer.status_code == 200

    callbacks_done(attempt, 2)
    assert Invoice.objects.get(booking=paid_booking).status == InvoiceStatus.NEEDS_REVIEW
    [alert] = owner_alerts()
    assert alert.subject.startswith("A payment needs review: Online consultation")
    assert "M-Pesa reported KES 15 for a prompt of KES 1500." in alert.body
    assert not receipts(paid_booking).exists()
