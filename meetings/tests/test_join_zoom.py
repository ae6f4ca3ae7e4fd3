"""Joining a Zoom meeting: the host's start link is fetched fresh from Zoom (it expires), the patient never sees it.

Runs over real HTTP against the Zoom emulator on the live server, through the
real confirmation signal, task and meeting service.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from clinicpro.testing.factories import ServiceFactory
from meetings.models import JoinRole, Meeting, MeetingEvent, MeetingStatus, join_link_for
from sandbox import faults

from .connected_providers import connect_clinic_zoom, use_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sandbox(settings: Any, live_server: Any) -> None:
    use_sandbox(settings, live_server)


@pytest.fixture
def zoom_booking(clinic, practitioner):
    """A Zoom consultation starting in ten minutes: its join window is open."""
    connect_clinic_zoom(clinic)
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner], meeting_platform="zoom")
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=(timezone.now() + timedelta(minutes=10)).replace(second=0, microsecond=0),
        patient_name="Baraka Njoroge",
        patient_email="baraka@example.com",
        patient_phone="0712 000 111",
        enforce_availability=False,
    )
    meeting = Meeting.objects.get(booking=booking, is_current=True)
    assert (meeting.provider, meeting.status) == ("zoom", MeetingStatus.ACTIVE)
    return booking


def test_the_host_gets_a_fresh_start_link_from_zoom(client, zoom_booking):
    client.force_login(zoom_booking.practitioner.membership.user)
    meeting = Meeting.objects.get(booking=zoom_booking, is_current=True)

    response = client.get(reverse("meeting_join", args=[join_link_for(zoom_booking, JoinRole.HOST).token]))

    assert response.status_code == 302
    assert response["Location"].startswith(f"https://zoom.us/s/{meeting.external_id}?zak=")
    assert response["Location"] != meeting.host_url
    assert MeetingEvent.objects.filter(booking=zoom_booking, action="join", actor="host").count() == 1


def test_the_patient_gets_the_zoom_join_link_and_never_a_start_link(client, zoom_booking):
    meeting = Meeting.objects.get(booking=zoom_booking, is_current=True)

    response = client.get(reverse("meeting_join", args=[join_link_for(zoom_booking, JoinRole.PATIENT).token]))

    assert response.status_code == 302
    assert response["Location"] == meeting.join_url
    assert "zak=" not in response["Location"]
    assert "/s/" not in response["Location"]


def test_when_zoom_is_down_the_host_still_gets_the_stored_start_link(client, zoom_booking):
    client.force_login(zoom_booking.practitioner.membership.user)
    meeting = Meeting.objects.get(booking=zoom_booking, is_current=True)
    faults.inject("zoom", "meetings.get", "500", count=5)

    response = client.get(reverse("meeting_join", args=[join_link_for(zoom_booking, JoinRole.HOST).token]))

    assert response.status_code == 302
    assert response["Location"] == meeting.host_url
