"""Owner and practitioner alerts: once per cause, by email and on the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import hooks
from clinicpro.testing.factories import PASSWORD
from meetings.signals import provider_credentials_rejected
from notifications.models import Kind, Message, RecipientRole
from notifications.reminders import urgent_link_alerts


@pytest.fixture
def room_not_ready(monkeypatch, settings):
    def conference(booking, role):
        return hooks.Conference(
            join_url=f"{settings.SITE_URL}/j/{role}-{booking.pk}",
            provider_label="Zoom",
            status="creating",
            status_label="Being created",
        )

    monkeypatch.setattr(hooks, "_conference_sources", [conference])


def alerts(**filters):
    return Message.objects.filter(kind=Kind.ALERT, **filters)


def test_an_online_booking_near_its_start_without_a_link_alerts_once(
    make_booking, messaging, room_not_ready, owner, practitioner
):
    booking = make_booking(timezone.now() + timedelta(minutes=20))
    for _ in range(3):
        urgent_link_alerts()
    assert alerts(booking=booking, recipient_role=RecipientRole.OWNER).count() == 1
    assert alerts(booking=booking, recipient_role=RecipientRole.PRACTITIONER).count() == 1
    assert "no working meeting link" in alerts(booking=booking).first().body


def test_a_booking_with_a_ready_room_or_far_away_raises_no_alert(make_booking, messaging, web_conference, owner):
    make_booking(timezone.now() + timedelta(minutes=20))
    urgent_link_alerts()
    assert not alerts().exists()


def test_a_rejected_connection_asks_for_reconnection_on_the_dashboard_once(
    client, clinic, owner, practitioner, messaging, django_capture_on_commit_callbacks
):
    from bookings.models import Practitioner

    who = Practitioner.objects.get(pk=practitioner.pk)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            provider_credentials_rejected.send(
                sender=object, provider="zoom", clinic=clinic, practitioner=who, error="invalid_grant"
            )
    assert alerts(recipient_role=RecipientRole.OWNER).count() == 1
    client.login(username="wanjiru", password=PASSWORD)
    home = client.get(reverse("clinic_dashboard", args=[clinic.slug])).content.decode()
    assert "Reconnect Zoom" in home


def test_owners_see_how_many_messages_to_patients_failed_or_may_not_have_gone(
    client, clinic, owner, practitioner, stranger, other_clinic, make_booking, messaging
):
    from notifications.models import MessageStatus

    booking = make_booking(timezone.now() + timedelta(days=2))
    to_patient = Message.objects.filter(booking=booking, recipient_role=RecipientRole.PATIENT).order_by("pk")
    assert to_patient.count() >= 2
    client.login(username="owner", password=PASSWORD)
    assert "to patients" not in client.get(reverse("clinic_dashboard", args=[clinic.slug])).text

    Message.objects.filter(pk=to_patient[0].pk).update(status=MessageStatus.FAILED)
    Message.objects.filter(pk=to_patient[1].pk).update(status=MessageStatus.UNKNOWN)

    home = client.get(reverse("clinic_dashboard", args=[clinic.slug])).text
    assert "1 message to patients could not be sent; see the bookings." in home
    assert "1 message to patients may not have been sent (the gateway&#x27;s answer was lost)" in home
    client.login(username="wanjiru", password=PASSWORD)
    assert "to patients" not in client.get(reverse("clinic_dashboard", args=[clinic.slug])).text
    client.force_login(stranger)
    assert "to patients" not in client.get(reverse("clinic_dashboard", args=[other_clinic.slug])).text
