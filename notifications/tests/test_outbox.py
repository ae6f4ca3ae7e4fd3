"""Every booking change writes its messages in the change's own transaction, once per recipient."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from bookings import services
from bookings.models import ConfirmationPolicy
from notifications.models import Channel, Kind, Message, RecipientRole

START = datetime(2031, 3, 4, 6, 0, tzinfo=UTC)


@pytest.fixture
def manual_service(service):
    service.confirmation_policy = ConfirmationPolicy.MANUAL
    service.save()
    return service


def kinds(**filters):
    return sorted(Message.objects.filter(**filters).values_list("kind", "channel", "recipient_role"))


def test_a_request_tells_the_patient_it_was_received_and_the_practitioner_it_is_new(
    make_booking, manual_service, messaging
):
    booking = make_booking(START)
    assert kinds(booking=booking) == [
        (Kind.NEW_BOOKING, Channel.EMAIL, RecipientRole.PRACTITIONER),
        (Kind.RECEIVED, Channel.EMAIL, RecipientRole.PATIENT),
        (Kind.RECEIVED, Channel.SMS, RecipientRole.PATIENT),
    ]


def test_a_rolled_back_change_leaves_no_message(manual_service, practitioner, messaging):
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            services.booking_create(
                service=manual_service,
                practitioner=practitioner,
                starts_at=START,
                patient_name="Achieng Otieno",
                patient_email="achieng@example.com",
                patient_phone="0712 345 678",
                enforce_availability=False,
            )
            raise RuntimeError("the request failed after booking")
    assert Message.objects.count() == 0


def test_the_confirmation_email_goes_out_with_text_html_and_invitation(
    make_booking, manual_service, messaging, django_capture_on_commit_callbacks, web_conference
):
    booking = make_booking(START)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking)
    confirmation = Message.objects.get(booking=booking, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    assert confirmation.status == "sent"
    sent = [m for m in mail.outbox if m.subject == confirmation.subject]
    assert len(sent) == 1
    assert "/j/patient-" in sent[0].body
    assert "/j/host-" not in sent[0].body
    assert "East Africa Time (Africa/Nairobi)" in sent[0].body
