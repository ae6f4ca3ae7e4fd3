"""The meeting panel on a booking's dashboard page and the meeting banners on the clinic dashboard."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from bookings import services as booking_services
from clinicpro.models import Role
from clinicpro.testing.factories import (
    PASSWORD,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)
from meetings.models import JoinLink, JoinRole, Meeting, MeetingStatus

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday 09:00 in Nairobi
STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 10:00 in Nairobi


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def booking_for(service, practitioner, starts_at=STARTS_AT):
    return booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )


@pytest.fixture
def booked(django_capture_on_commit_callbacks, service, practitioner):
    """A confirmed online booking whose (self-hosted) meeting the real task has made."""
    with django_capture_on_commit_callbacks(execute=True):
        return booking_for(service, practitioner)


def detail_page(client, user, booking):
    client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("clinic_booking", args=[booking.clinic.slug, booking.pk])).text


def dashboard(client, user, clinic):
    client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("clinic_dashboard", args=[clinic.slug])).text


# --- The panel -----------------------------------------------------------------------------------


def test_the_panel_shows_provider_status_and_both_links(client, owner, booked):
    page = detail_page(client, owner, booked)

    host_token = JoinLink.objects.get(booking=booked, role=JoinRole.HOST).token
    patient_token = JoinLink.objects.get(booking=booked, role=JoinRole.PATIENT).token
    assert "Online meeting" in page
    assert "ClinicPro room (Jitsi)" in page
    assert "Ready" in page
    assert f"/j/{host_token}" in page
    assert f"/j/{patient_token}" in page
    assert "For the practitioner only" in page


def test_the_panel_shows_the_audit_trail(client, owner, booked):
    page = detail_page(client, owner, booked)

    assert "Audit trail" in page
    assert "Meeting ready." in page
    assert "Meeting requested." in page


def test_the_panel_shows_a_fallback_and_the_last_error(client, owner, booked):
    Meeting.objects.filter(booking=booked).update(
        is_fallback=True, fallback_reason="Zoom answered 500 five times", last_error="Zoom answered 500 (HTTP 500)"
    )

    page = detail_page(client, owner, booked)

    assert "uses the backup room because Zoom answered 500 five times" in page
    assert "Zoom answered 500 (HTTP 500)" in page


def test_owners_get_a_regenerate_form_with_csrf(client, owner, booked):
    page = detail_page(client, owner, booked)

    assert reverse("clinic_meeting_regenerate", args=[booked.clinic.slug, booked.pk]) in page
    assert "Regenerate meeting" in page
    assert 'name="reason"' in page
    assert page.count('name="csrfmiddlewaretoken"') >= 1


def test_practitioners_see_the_panel_without_the_regenerate_form(client, practitioner, booked):
    page = detail_page(client, practitioner.user, booked)

    assert "Online meeting" in page
    assert "Regenerate meeting" not in page


def test_an_in_person_booking_has_no_meeting_panel(client, owner, clinic, practitioner):
    in_person = ServiceFactory(clinic=clinic, practitioners=[practitioner], is_online=False, meeting_platform="")

    page = detail_page(client, owner, booking_for(in_person, practitioner))

    assert "Online meeting" not in page


# --- The banners -------------------------------------------------------------------------------------


@pytest.fixture
def fallback(booked):
    Meeting.objects.filter(booking=booked).update(is_fallback=True, fallback_reason="Zoom kept answering 500")
    return booked


FALLBACK_BANNER = "Meeting for Online consultation on Tue 3 Mar, 10:00 EAT used the backup room because Zoom kept"


def test_the_owner_and_the_practitioner_see_why_the_backup_room_was_used(client, owner, practitioner, fallback):
    assert FALLBACK_BANNER in dashboard(client, owner, fallback.clinic)
    assert FALLBACK_BANNER in dashboard(client, practitioner.user, fallback.clinic)


def test_staff_do_not_get_meeting_banners(client, clinic, fallback):
    staff = MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="frontdesk")).user

    assert "backup room" not in dashboard(client, staff, clinic)


def test_a_practitioner_sees_banners_for_their_own_bookings_only(client, clinic, fallback):
    colleague = PractitionerFactory(
        membership=MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="otieno"))
    )

    assert "backup room" not in dashboard(client, colleague.user, clinic)


def test_another_clinic_never_sees_the_banner(client, stranger, other_clinic, fallback):
    assert "backup room" not in dashboard(client, stranger, other_clinic)


def test_a_booking_starting_soon_without_a_link_is_loud(client, owner, clinic, service, practitioner):
    # Confirmed, but its task never ran (the on-commit callbacks are not executed here).
    soon = booking_for(service, practitioner, starts_at=NOW + timedelta(minutes=30))
    assert not Meeting.objects.filter(booking=soon, status=MeetingStatus.ACTIVE).exists()

    page = dashboard(client, owner, clinic)

    assert "No meeting link yet for Online consultation with Dr. Wanjiru Kamau on Mon 2 Mar, 09:30 EAT" in page
    assert 'class="banner error"' in page


def test_a_booking_far_ahead_without_a_link_is_not_yet_alarming(client, owner, clinic, service, practitioner):
    booking_for(service, practitioner, starts_at=NOW + timedelta(days=1))

    assert "No meeting link yet" not in dashboard(client, owner, clinic)
