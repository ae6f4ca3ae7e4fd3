"""A gateway took a text but its answer never reached us: never two texts, and never a silent loss.

Through our real clients over HTTP to the Twilio and Africa's Talking emulators,
whose `lost_response` and `timeout` faults act first and lose the answer after.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinicpro.testing.factories import PASSWORD
from notifications.conftest import wait_for
from notifications.models import Channel, DeliveryReport, Kind, Message, MessageStatus
from notifications.tasks import send_due_messages
from sandbox import faults
from sandbox.models import TextMessage

from .scenes import book

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT = "+254712345678"


@pytest.fixture
def twilio_sms(messaging, gateways):
    messaging.sms_sender = "twilio"
    messaging.save()
    return messaging


def received_sms(booking) -> Message:
    return Message.objects.get(booking=booking, kind=Kind.RECEIVED, channel=Channel.SMS)


def retry_now(message: Message) -> None:
    """The beat pass, once the message's next attempt is due."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    send_due_messages()


def texts_to_patient() -> list[TextMessage]:
    return list(TextMessage.objects.filter(to=PATIENT))


@pytest.mark.parametrize("fault", [{"mode": "lost_response"}, {"mode": "timeout", "delay_seconds": 1.5}])
def test_a_retry_after_twilio_lost_its_answer_adopts_the_sms_it_sent_instead_of_sending_another(
    twilio_sms, service, practitioner, settings, fault
):
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    faults.inject("twilio", "messages.create", **fault)
    booking = book(service, practitioner)
    lost = received_sms(booking)
    assert lost.status == MessageStatus.QUEUED and lost.answer_lost and not lost.provider_message_id
    [taken] = texts_to_patient()  # Twilio took it all the same

    retry_now(lost)

    message = received_sms(booking)
    assert message.provider_message_id == taken.message_id and message.attempts == 2
    assert texts_to_patient() == [taken]
    assert wait_for(lambda: received_sms(booking).status == MessageStatus.DELIVERED)


def test_a_lost_answer_for_a_text_twilio_never_took_is_sent_on_the_retry(twilio_sms, service, practitioner):
    faults.inject("twilio", "messages.create", "500")
    booking = book(service, practitioner)
    assert received_sms(booking).answer_lost and texts_to_patient() == []

    retry_now(received_sms(booking))

    [sent] = texts_to_patient()
    assert received_sms(booking).provider_message_id == sent.message_id


def test_a_retry_that_cannot_look_at_twilio_waits_instead_of_sending_again(twilio_sms, service, practitioner):
    faults.inject("twilio", "messages.create", "lost_response")
    faults.inject("twilio", "messages.list", "500")
    booking = book(service, practitioner)

    retry_now(received_sms(booking))

    assert received_sms(booking).status == MessageStatus.QUEUED and len(texts_to_patient()) == 1
    retry_now(received_sms(booking))
    assert received_sms(booking).provider_message_id == texts_to_patient()[0].message_id


def test_a_last_attempt_whose_answer_was_lost_may_have_been_sent_until_twilio_reports_on_it(
    twilio_sms, service, practitioner, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    faults.inject("twilio", "messages.create", "lost_response")

    booking = book(service, practitioner)

    assert received_sms(booking).status in (MessageStatus.UNKNOWN, MessageStatus.SENT, MessageStatus.DELIVERED)
    # Twilio's status callback names the number, and this is the one message to it of unknown fate.
    assert wait_for(lambda: received_sms(booking).status == MessageStatus.DELIVERED)
    assert received_sms(booking).provider_message_id == texts_to_patient()[0].message_id


def test_africas_talking_lost_answer_is_left_for_staff_and_never_sent_twice_by_itself(
    messaging, gateways, service, practitioner, owner, client, clinic
):
    faults.inject("africastalking", "messaging.send", "lost_response")
    booking = book(service, practitioner)

    message = received_sms(booking)
    assert message.status == MessageStatus.UNKNOWN and message.attempts == 1
    assert message.error.startswith("No answer from Africa's Talking (HTTP 502). It may have reached the recipient")
    retry_now(message)
    assert received_sms(booking).status == MessageStatus.UNKNOWN and len(texts_to_patient()) == 1

    client.login(username="owner", password=PASSWORD)
    home = client.get(reverse("clinic_dashboard", args=[clinic.slug])).content.decode()
    assert "1 message to patients may not have been sent" in home
    page = client.get(reverse("clinic_booking", args=[clinic.slug, booking.pk])).content.decode()
    assert "May have been sent" in page and reverse("notifications_resend", args=[clinic.slug, message.pk]) in page
    client.post(reverse("notifications_resend", args=[clinic.slug, message.pk]))
    assert len(texts_to_patient()) == 2  # staff chose to send it again


def test_a_delivery_report_to_the_number_settles_an_africas_talking_text_of_unknown_fate(
    reporting, service, practitioner
):
    faults.inject("africastalking", "messaging.send", "lost_response")

    booking = book(service, practitioner)

    assert wait_for(lambda: received_sms(booking).status == MessageStatus.DELIVERED)
    [taken] = texts_to_patient()
    assert received_sms(booking).provider_message_id == taken.message_id and received_sms(booking).error == ""
    assert DeliveryReport.objects.get(external_id=taken.message_id).state == DeliveryReport.State.PROCESSED


def test_a_worker_that_died_mid_send_leaves_an_africas_talking_text_for_staff(messaging, service, practitioner):
    booking = book(service, practitioner)  # the gateway's port is closed: never connected, so simply retried
    message = received_sms(booking)
    assert message.status == MessageStatus.QUEUED and not message.answer_lost
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )

    send_due_messages()

    message = received_sms(booking)
    assert message.status == MessageStatus.UNKNOWN and message.answer_lost
