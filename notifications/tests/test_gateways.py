"""Texts through our real clients, over HTTP, to the Africa's Talking and Twilio emulators, and their reports back."""

from datetime import timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from notifications.conftest import TWILIO_TOKEN, wait_for
from notifications.models import Channel, DeliveryReport, Kind, Message, MessageStatus, OptOut
from notifications.senders.twilio.signature import twilio_signature
from notifications.tasks import send_due_messages
from sandbox import faults
from sandbox.models import Service, TextAccount, TextMessage

from .scenes import approve, book, soon

pytestmark = pytest.mark.django_db(transaction=True)


def sms(booking, kind=Kind.CONFIRMED, channel=Channel.SMS) -> Message:
    return Message.objects.get(booking=booking, kind=kind, channel=channel)


def make_due(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_confirmation_sms_reaches_africas_talking_and_its_delivery_report_comes_back(
    reporting, service, practitioner
):
    booking = approve(book(service, practitioner))
    message = sms(booking)
    assert message.status in (MessageStatus.SENT, MessageStatus.DELIVERED)
    assert message.provider == "africastalking" and message.provider_message_id.startswith("ATXid_")
    on_phone = TextMessage.objects.get(message_id=message.provider_message_id)
    assert on_phone.to == "+254712345678" and on_phone.sender == "UHURU"
    assert "/j/" in on_phone.body and "/b/" in on_phone.body
    assert wait_for(lambda: sms(booking).status == MessageStatus.DELIVERED)
    assert DeliveryReport.objects.get(external_id=message.provider_message_id).state == "processed"


def test_a_whatsapp_patient_gets_the_approved_template_through_twilio_and_a_signed_delivery_report(
    messaging, gateways, service, practitioner
):
    booking = approve(book(service, practitioner, preference="whatsapp"))
    message = sms(booking, channel=Channel.WHATSAPP)
    assert message.provider == "twilio" and message.provider_message_id.startswith("SM")
    on_phone = TextMessage.objects.get(message_id=message.provider_message_id)
    assert on_phone.channel == "whatsapp"
    assert on_phone.body.startswith("Hello Achieng, your Online consultation with Dr. Wanjiru Kamau is confirmed for")
    assert "/j/" in on_phone.body
    assert wait_for(lambda: sms(booking, channel=Channel.WHATSAPP).status == MessageStatus.DELIVERED)
    assert not Message.objects.filter(booking=booking, kind=Kind.CONFIRMED, channel=Channel.SMS).exists()
    # No approved template for "received": that one went by SMS rather than not at all.
    assert sms(booking, kind=Kind.RECEIVED).status != MessageStatus.FAILED


def test_a_gateway_500_is_retried_and_the_beat_pass_sends_it(reporting, service, practitioner):
    faults.inject("africastalking", "messaging.send", "500", count=1)
    booking = book(service, practitioner)
    failed_once = sms(booking, kind=Kind.RECEIVED)
    assert failed_once.status == MessageStatus.QUEUED
    assert failed_once.attempts == 1 and "500" in failed_once.error
    make_due(failed_once)
    send_due_messages()
    sent = sms(booking, kind=Kind.RECEIVED)
    assert sent.status in (MessageStatus.SENT, MessageStatus.DELIVERED) and sent.attempts == 2
    assert TextMessage.objects.filter(message_id=sent.provider_message_id).count() == 1


def test_a_429_waits_at_least_the_retry_after_it_names(reporting, service, practitioner):
    faults.inject("africastalking", "messaging.send", "429", count=1, retry_after=120)
    before = timezone.now()
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at >= before + timedelta(seconds=120)


def test_a_timeout_is_retried_as_a_send_whose_answer_was_lost(reporting, service, practitioner, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    faults.inject("twilio", "messages.create", "timeout", count=1, delay_seconds=1.5)
    messaging = reporting
    messaging.sms_sender = "twilio"
    messaging.save()
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.QUEUED and message.answer_lost
    assert message.error == "Twilio did not answer in time; it may have sent the message."


def test_the_last_transient_failure_marks_the_message_failed(reporting, service, practitioner, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    faults.inject("africastalking", "messaging.send", "500", count=2)
    booking = book(service, practitioner)
    make_due(sms(booking, kind=Kind.RECEIVED))
    send_due_messages()
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.FAILED and message.attempts == 2


def test_a_rejected_sender_id_is_a_permanent_failure_with_the_reason(reporting, service, practitioner):
    reporting.africastalking_sender_id = "NOTOURS"
    reporting.save()
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "sender id is not registered" in message.error
    assert not TextMessage.objects.exists()


def test_an_exhausted_balance_is_a_permanent_failure(reporting, service, practitioner):
    TextAccount.objects.filter(service=Service.AFRICASTALKING).update(balance=0)
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.FAILED
    assert "balance is exhausted" in message.error


def test_an_unreachable_number_fails_on_the_delivery_report(reporting, service, practitioner):
    booking = book(service, practitioner, phone="+254712340000")
    assert wait_for(lambda: sms(booking, kind=Kind.RECEIVED).status == MessageStatus.FAILED)
    assert "UserIsInactive" in sms(booking, kind=Kind.RECEIVED).error
    assert booking.__class__.objects.get(pk=booking.pk).status == "pending"


def test_a_number_that_replied_stop_is_opted_out_and_not_texted_again(reporting, service, practitioner):
    reporting.sms_sender = "twilio"
    reporting.save()
    first = book(service, practitioner, phone="+254712349999")
    message = sms(first, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.FAILED and "replied STOP" in message.error
    assert OptOut.objects.filter(address="+254712349999", channel=Channel.SMS).exists()
    second = book(service, practitioner, starts_at=soon(4), phone="+254712349999", email="other@example.com")
    assert not Message.objects.filter(booking=second, channel=Channel.SMS).exists()
    assert Message.objects.filter(booking=second, channel=Channel.EMAIL).exists()


def test_a_forged_africas_talking_report_is_refused(reporting, service, practitioner, gateways):
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    wait_for(lambda: sms(booking, kind=Kind.RECEIVED).status == MessageStatus.DELIVERED)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    forged = requests.post(
        gateways + reverse("notifications_africastalking_report", args=["guessed-secret"]),
        data={"id": message.provider_message_id, "status": "Failed", "failureReason": "UserInBlackList"},
        timeout=5,
    )
    assert forged.status_code == 404
    assert sms(booking, kind=Kind.RECEIVED).status == MessageStatus.SENT


def test_a_twilio_report_without_a_valid_signature_is_refused(messaging, gateways, service, practitioner):
    messaging.sms_sender = "twilio"
    messaging.save()
    booking = book(service, practitioner)
    message = sms(booking, kind=Kind.RECEIVED)
    wait_for(lambda: sms(booking, kind=Kind.RECEIVED).status == MessageStatus.DELIVERED)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    url = gateways + reverse("notifications_twilio_report", args=[messaging.report_secret])
    data = {"MessageSid": message.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    forged = requests.post(url, data=data, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, timeout=5)
    assert forged.status_code == 403
    signed_with_another_token = twilio_signature("another-token", url, data.items())
    assert (
        requests.post(url, data=data, headers={"X-Twilio-Signature": signed_with_another_token}, timeout=5).status_code
        == 403
    )
    assert sms(booking, kind=Kind.RECEIVED).status == MessageStatus.SENT
    genuine = requests.post(
        url, data=data, headers={"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, data.items())}, timeout=5
    )
    assert genuine.status_code == 204
    message = sms(booking, kind=Kind.RECEIVED)
    assert message.status == MessageStatus.FAILED and "30003" in message.error


def test_stop_texted_to_twilio_opts_the_number_out(messaging, gateways):
    url = gateways + reverse("notifications_twilio_inbound", args=[messaging.report_secret])
    data = {"From": "+254712345678", "To": "+15005550006", "Body": "stop", "MessageSid": "SM" + "0" * 32}
    response = requests.post(
        url, data=data, headers={"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, data.items())}, timeout=5
    )
    assert response.status_code == 200
    assert OptOut.objects.filter(clinic=messaging.clinic, address="+254712345678").exists()
