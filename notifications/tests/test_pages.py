"""What staff and patients see and do: a booking's messages, resending, alerts, unsubscribing, email tracking."""

import base64
import json

import pytest
from django.urls import reverse

from clinicpro.testing.factories import PASSWORD
from meetings.signals import meeting_changed, meeting_ready
from notifications.models import Channel, Kind, Message, MessageStatus, OptOut, RecipientRole
from notifications.unsubscribe import unsubscribe_url

from .scenes import START


@pytest.fixture
def booked(make_booking, messaging, web_conference):
    return make_booking(START)


@pytest.fixture
def signed_in(client, owner):
    client.login(username="owner", password=PASSWORD)
    return client


class FakeMeeting:
    """What meetings sends as `meeting=`: a Meeting row's id and fallback state."""

    def __init__(self, pk: int, is_fallback: bool = False, fallback_reason: str = "") -> None:
        self.pk, self.is_fallback, self.fallback_reason = pk, is_fallback, fallback_reason


def test_the_booking_page_lists_its_messages_with_their_status(signed_in, booked, clinic):
    page = signed_in.get(reverse("clinic_booking", args=[clinic.slug, booked.pk]))
    html = page.content.decode()
    assert "Booking confirmed" in html and "achieng@example.com" in html
    sms = Message.objects.get(booking=booked, kind=Kind.CONFIRMED, channel=Channel.SMS)
    assert "+254712345678" in html and f"{sms.parts} part{'s' if sms.parts > 1 else ''} (GSM-7)" in html


def test_staff_resend_a_message_as_a_new_copy(signed_in, booked, clinic, django_capture_on_commit_callbacks):
    email = Message.objects.get(booking=booked, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("notifications_resend", args=[clinic.slug, email.pk]))
    assert response.status_code == 302
    copies = Message.objects.filter(booking=booked, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    assert copies.count() == 2
    assert set(copies.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_another_clinic_cannot_resend(client, stranger, booked, other_clinic):
    client.login(username="stranger", password=PASSWORD)
    email = Message.objects.get(booking=booked, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    assert client.post(reverse("notifications_resend", args=[other_clinic.slug, email.pk])).status_code == 404


def test_a_meeting_that_changed_tells_the_patient_the_link_stays_and_alerts_once(
    signed_in, booked, clinic, django_capture_on_commit_callbacks
):
    meeting = FakeMeeting(pk=41, is_fallback=True, fallback_reason="Zoom was down")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            meeting_changed.send(sender=object, meeting=meeting, booking=booked, reason="Zoom was down")
            meeting_ready.send(sender=object, meeting=meeting, booking=booked)
    sms = Message.objects.get(booking=booked, kind=Kind.MEETING_CHANGED, channel=Channel.SMS)
    assert "Same link: http" in sms.body and "/j/patient-" in sms.body and "/j/host-" not in sms.body
    alerts = Message.objects.filter(kind=Kind.ALERT, recipient_role=RecipientRole.OWNER)
    assert alerts.count() == 1
    home = signed_in.get(reverse("clinic_dashboard", args=[clinic.slug])).content.decode()
    assert "Backup room used" in home


def test_an_unsubscribed_patient_gets_no_more_email(client, booked, clinic, make_booking):
    url = unsubscribe_url(clinic_id=clinic.pk, channel=Channel.EMAIL, address="achieng@example.com")
    assert "Stop emails" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    assert OptOut.objects.filter(clinic=clinic, channel=Channel.EMAIL, address="achieng@example.com").exists()
    later = make_booking(START.replace(hour=10))
    assert not Message.objects.filter(
        booking=later, channel=Channel.EMAIL, recipient_role=RecipientRole.PATIENT
    ).exists()
    assert Message.objects.filter(booking=later, channel=Channel.SMS).exists()


def test_a_tampered_unsubscribe_link_is_refused(client, clinic):
    url = unsubscribe_url(clinic_id=clinic.pk, channel=Channel.EMAIL, address="achieng@example.com")
    assert client.post(url[:-3] + "xyz/").status_code == 404


def test_a_clinic_that_turns_sms_off_sends_email_only(make_booking, messaging):
    messaging.sms_enabled = False
    messaging.save()
    booking = make_booking(START)
    assert set(Message.objects.filter(booking=booking).values_list("channel", flat=True)) == {Channel.EMAIL}


def test_email_tracking_webhooks_mark_delivery_and_refuse_bad_credentials(client, booked, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret-value"}
    email = Message.objects.get(booking=booked, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    event = {
        "RecordType": "Delivery",
        "MessageID": email.provider_message_id,
        "Recipient": email.to,
        "DeliveredAt": "2031-03-04T06:01:00Z",
    }
    url = reverse("anymail:postmark_tracking_webhook")

    def post(credentials: str):
        auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        return client.post(url, json.dumps(event), content_type="application/json", HTTP_AUTHORIZATION=auth)

    assert post("hook:guessed").status_code == 400
    assert Message.objects.get(pk=email.pk).status == MessageStatus.SENT
    assert post("hook:s3cret-value").status_code == 200
    assert Message.objects.get(pk=email.pk).status == MessageStatus.DELIVERED


def test_booking_form_asks_how_to_reach_the_patient(client, service, practitioner, clinic):
    slot = "2031-03-04T06:00:00Z"
    url = (
        reverse("book_details", args=[clinic.slug])
        + f"?service={service.pk}&practitioner={practitioner.pk}&slot={slot}"
    )
    html = client.get(url).content.decode()
    assert "How should the clinic reach you?" in html and 'value="whatsapp"' in html


def test_the_sandbox_outbox_shows_texts_and_emails(client, gateways_free_outbox):
    html = client.get(reverse("sandbox_outbox")).content.decode()
    assert "Hello from the clinic" in html and "Your appointment" in html


@pytest.fixture
def gateways_free_outbox(db, messaging):
    from sandbox.models import SentEmail, TextAccount, TextMessage

    account = TextAccount.objects.first()
    TextMessage.objects.create(
        account=account, message_id="ATXid_1", sender="UHURU", to="+254712345678", body="Hello from the clinic"
    )
    SentEmail.objects.create(
        message_id="<1@x>", from_email="a@b", to=["c@d"], subject="Your appointment", html="<p>Hi</p>"
    )
    return account


def test_owners_turn_channels_off_and_replace_a_key_they_can_never_read_back(signed_in, clinic, messaging):
    url = reverse("notifications_settings", args=[clinic.slug])
    page = signed_in.get(url).content.decode()
    assert "Messaging settings" in page and messaging.africastalking_api_key not in page
    response = signed_in.post(
        url,
        {
            "email_enabled": "on",
            "sms_sender": "africastalking",
            "reminder_hours": "2, 24",
            "africastalking_username": "uhuru-health",
            "africastalking_api_key": "",
            "africastalking_sender_id": "UHURU",
            "twilio_account_sid": messaging.twilio_account_sid,
            "twilio_auth_token": "",
            "twilio_from_number": "+15005550006",
            "twilio_whatsapp_from": "",
        },
    )
    assert response.status_code == 302
    messaging.refresh_from_db()
    assert not messaging.sms_enabled and not messaging.whatsapp_enabled and messaging.email_enabled
    assert messaging.reminder_hours == [24, 2]
    assert messaging.africastalking_api_key.startswith("atsk_")  # blank kept the stored key


def test_a_practitioner_cannot_open_messaging_settings(client, practitioner, clinic):
    client.login(username="wanjiru", password=PASSWORD)
    assert client.get(reverse("notifications_settings", args=[clinic.slug])).status_code == 403


def test_admin_masks_gateway_credentials(admin_client, messaging):
    page = admin_client.get(reverse("admin:notifications_clinicmessaging_change", args=[messaging.pk])).content.decode()
    assert messaging.africastalking_api_key not in page and messaging.twilio_auth_token not in page
    assert "••••••••" in page
