"""A host link starts the meeting only for the booking's practitioner, signed in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, UserFactory
from meetings.models import JoinRole, Meeting, MeetingStatus, join_link_for

HOST_ROOM = "https://meet.clinicpro.local/cp-room-9c2e?zak=host-secret"
PATIENT_ROOM = "https://meet.clinicpro.local/cp-room-9c2e"


@pytest.fixture
def live_meeting(make_booking):
    booking = make_booking(timezone.now() + timedelta(minutes=5))
    Meeting.objects.filter(booking=booking).delete()
    Meeting.objects.create(
        booking=booking,
        provider="selfhosted",
        status=MeetingStatus.ACTIVE,
        external_id="cp-room-9c2e",
        join_url=PATIENT_ROOM,
        host_url=HOST_ROOM,
    )
    return booking


def host_path(booking) -> str:
    return reverse("meeting_join", args=[join_link_for(booking, JoinRole.HOST).token])


@pytest.mark.django_db
def test_a_signed_out_visitor_with_the_host_link_is_asked_to_sign_in(client, live_meeting):
    response = client.get(host_path(live_meeting))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/j/")
    assert "zak" not in response["Location"]


@pytest.mark.django_db
def test_another_member_of_the_clinic_cannot_start_the_meeting(client, live_meeting, clinic):
    colleague = MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="desk")).user
    client.force_login(colleague)
    response = client.get(host_path(live_meeting))
    assert response.status_code == 403
    assert HOST_ROOM not in response.content.decode()


@pytest.mark.django_db
def test_the_signed_in_practitioner_is_taken_to_the_host_room(client, live_meeting, practitioner):
    client.force_login(practitioner.user)
    assert client.get(host_path(live_meeting))["Location"] == HOST_ROOM


@pytest.mark.django_db
def test_the_patient_link_needs_no_sign_in(client, live_meeting):
    assert (
        client.get(reverse("meeting_join", args=[join_link_for(live_meeting, JoinRole.PATIENT).token]))["Location"]
        == PATIENT_ROOM
    )
