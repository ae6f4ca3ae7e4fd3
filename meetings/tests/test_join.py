"""The /j/<token> join links: redirect inside the window, explain outside it, never leak a host link."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import services as booking_services
from bookings.models import BookingStatus, CancelledBy
from clinicpro.testing.factories import ClinicFactory, MembershipFactory, PractitionerFactory, ServiceFactory
from meetings.models import ClinicMeetingSettings, JoinRole, Meeting, MeetingEvent, MeetingStatus, join_link_for

# The appointment: Tuesday 3 March 2026, 10:00-10:30 in Nairobi (07:00-07:30 UTC).
STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
ENDS_AT = STARTS_AT + timedelta(minutes=30)
BOOKED_AT = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

PATIENT_ROOM = "https://meet.clinicpro.local/cp-room-7f3a?jwt=patient-token"
HOST_ROOM = "https://meet.clinicpro.local/cp-room-7f3a?jwt=moderator-token"


@pytest.fixture(autouse=True)
def booked(time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)


@pytest.fixture(autouse=True)
def signed_in_practitioner(client, practitioner):
    """Host links need the practitioner signed in (see test_host_link_sign_in.py); patient links need nobody."""
    client.force_login(practitioner.user)


@pytest.fixture
def booking(service, practitioner):
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=STARTS_AT,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    # Confirming wrote a pending meeting row; each test places the meeting it needs instead.
    Meeting.objects.filter(booking=booking).delete()
    return booking


@pytest.fixture
def meeting(booking):
    return Meeting.objects.create(
        booking=booking,
        provider="selfhosted",
        status=MeetingStatus.ACTIVE,
        external_id="cp-room-7f3a",
        join_url=PATIENT_ROOM,
        host_url=HOST_ROOM,
    )


def join_path(booking, role):
    return reverse("meeting_join", args=[join_link_for(booking, role).token])


def at(time_machine, moment):
    time_machine.move_to(moment, tick=False)


# --- Inside the window --------------------------------------------------------------


def test_the_patient_link_redirects_to_the_meeting_once_the_room_is_open(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT - timedelta(minutes=5))

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert response.status_code == 302
    assert response["Location"] == PATIENT_ROOM


def test_the_host_link_redirects_to_the_host_url(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT + timedelta(minutes=1))

    response = client.get(join_path(booking, JoinRole.HOST))

    assert response.status_code == 302
    assert response["Location"] == HOST_ROOM


def test_the_room_opens_exactly_at_the_configured_minutes_before_the_start(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT - timedelta(minutes=15))

    assert client.get(join_path(booking, JoinRole.PATIENT)).status_code == 302


def test_the_room_stays_open_until_the_configured_minutes_after_the_end(client, booking, meeting, time_machine):
    at(time_machine, ENDS_AT + timedelta(minutes=60))

    assert client.get(join_path(booking, JoinRole.PATIENT)).status_code == 302


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.integers(min_value=-15, max_value=30 + 60), role=st.sampled_from([JoinRole.PATIENT, JoinRole.HOST]))
def test_a_patient_is_never_sent_to_the_host_url(client, booking, meeting, time_machine, minutes, role):
    at(time_machine, STARTS_AT + timedelta(minutes=minutes))

    response = client.get(join_path(booking, role))

    assert response.status_code == 302
    if role == JoinRole.PATIENT:
        assert response["Location"] == PATIENT_ROOM
        assert "moderator" not in response["Location"]
    else:
        assert response["Location"] == HOST_ROOM


def test_every_join_is_recorded_with_who_joined(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT)

    client.get(join_path(booking, JoinRole.PATIENT))
    client.get(join_path(booking, JoinRole.PATIENT))
    client.get(join_path(booking, JoinRole.HOST))

    joins = MeetingEvent.objects.filter(booking=booking, action="join").order_by("id")
    assert [(e.actor, e.outcome, e.meeting_id, e.provider) for e in joins] == [
        ("patient", "ok", meeting.pk, "selfhosted"),
        ("patient", "ok", meeting.pk, "selfhosted"),
        ("host", "ok", meeting.pk, "selfhosted"),
    ]


def test_the_link_leads_to_the_current_meeting_after_a_replacement(client, booking, meeting, time_machine):
    Meeting.objects.filter(pk=meeting.pk).update(is_current=False, status=MeetingStatus.CANCELLED)
    Meeting.objects.create(
        booking=booking,
        provider="selfhosted",
        status=MeetingStatus.ACTIVE,
        is_fallback=True,
        join_url="https://meet.clinicpro.local/cp-room-new",
        host_url="https://meet.clinicpro.local/cp-room-new?jwt=host",
    )
    at(time_machine, STARTS_AT)

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert response["Location"] == "https://meet.clinicpro.local/cp-room-new"


def test_the_window_follows_the_clinics_settings(client, booking, meeting, time_machine):
    ClinicMeetingSettings.objects.update_or_create(
        clinic=booking.clinic, defaults={"join_opens_minutes_before": 30, "join_closes_minutes_after": 0}
    )
    at(time_machine, STARTS_AT - timedelta(minutes=25))
    assert client.get(join_path(booking, JoinRole.PATIENT)).status_code == 302

    at(time_machine, ENDS_AT + timedelta(minutes=1))
    response = client.get(join_path(booking, JoinRole.PATIENT))
    assert response.status_code == 200
    assert "This appointment has ended" in response.text


# --- Outside the window ----------------------------------------------------------------


def test_too_early_shows_when_the_room_opens_in_the_clinics_zone(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT - timedelta(hours=2))

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert response.status_code == 200
    assert "The room opens at 09:45 EAT, 15 minutes before your appointment." in response.text
    assert "Tuesday 3 March 2026, 10:00–10:30" in response.text
    assert "East Africa Time (Africa/Nairobi)" in response.text
    assert PATIENT_ROOM not in response.text
    assert not MeetingEvent.objects.filter(action="join").exists()


def test_a_day_ahead_the_page_also_names_the_day_the_room_opens(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT - timedelta(days=1))

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert "The room opens at 09:45 EAT, 15 minutes before your appointment on Tuesday 3 March." in response.text


def test_too_early_names_the_zone_of_a_clinic_outside_kenya(client, db, time_machine):
    clinic = ClinicFactory(timezone="Europe/London")
    practitioner = PractitionerFactory(membership=MembershipFactory(clinic=clinic))
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner])
    summer_start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 BST
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=summer_start,
        patient_name="Ama Mensah",
        patient_email="ama@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    at(time_machine, summer_start - timedelta(days=1))

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert "The room opens at 09:45 BST, 15 minutes before your appointment on Wednesday 1 July." in response.text
    assert "British Summer Time (Europe/London)" in response.text


def test_after_the_window_the_page_says_the_appointment_has_ended(client, booking, meeting, time_machine):
    at(time_machine, ENDS_AT + timedelta(minutes=61))

    response = client.get(join_path(booking, JoinRole.HOST))

    assert response.status_code == 200
    assert "This appointment has ended" in response.text
    assert HOST_ROOM not in response.text
    assert not MeetingEvent.objects.filter(action="join").exists()


def test_a_cancelled_booking_says_so_and_leads_nowhere(client, booking, meeting, time_machine):
    booking_services.booking_cancel(booking=booking, by=CancelledBy.CLINIC, reason="Practitioner unwell")
    at(time_machine, STARTS_AT)

    for role in (JoinRole.PATIENT, JoinRole.HOST):
        response = client.get(join_path(booking, role))
        assert response.status_code == 200
        assert "This appointment was cancelled" in response.text
        assert PATIENT_ROOM not in response.text and HOST_ROOM not in response.text
    assert not MeetingEvent.objects.filter(action="join").exists()


def test_a_revoked_link_reads_as_cancelled(client, booking, meeting, time_machine):
    link = join_link_for(booking, JoinRole.PATIENT)
    link.revoked_at = BOOKED_AT
    link.save(update_fields=["revoked_at"])
    at(time_machine, STARTS_AT)

    response = client.get(reverse("meeting_join", args=[link.token]))

    assert response.status_code == 200
    assert "This appointment was cancelled" in response.text


def test_a_booking_still_awaiting_approval_is_not_joinable(client, clinic, practitioner, time_machine):
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner], confirmation_policy="manual")
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=STARTS_AT,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    assert booking.status == BookingStatus.PENDING
    at(time_machine, STARTS_AT)

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert response.status_code == 200
    assert "not confirmed yet" in response.text


# --- Not ready yet, or no such link ----------------------------------------------------------


@pytest.mark.parametrize("status", [None, MeetingStatus.PENDING, MeetingStatus.CREATING, MeetingStatus.FAILED])
def test_without_an_active_meeting_the_page_says_the_link_is_being_prepared(client, booking, time_machine, status):
    if status is not None:
        Meeting.objects.create(booking=booking, provider="selfhosted", status=status)
    at(time_machine, STARTS_AT)

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert response.status_code == 200
    assert "Your meeting link is being prepared" in response.text
    assert '<meta http-equiv="refresh"' in response.text
    assert not MeetingEvent.objects.filter(action="join").exists()


def test_an_unknown_token_is_not_found(client, booking, meeting):
    assert client.get(reverse("meeting_join", args=["not-a-real-token"])).status_code == 404


def test_join_pages_are_never_cached(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT)

    response = client.get(join_path(booking, JoinRole.PATIENT))

    assert "no-store" in response["Cache-Control"]


def test_a_join_link_does_not_accept_posts(client, booking, meeting, time_machine):
    at(time_machine, STARTS_AT)

    assert client.post(join_path(booking, JoinRole.PATIENT)).status_code == 405
