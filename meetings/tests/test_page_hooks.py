"""What the booking pages learn about meetings through bookings.hooks: join links, status, platforms."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from bookings import hooks
from bookings import services as booking_services
from bookings.models import BookingStatus, CancelledBy, ConfirmationPolicy
from clinicpro.testing.factories import PASSWORD, ServiceFactory
from meetings import registry
from meetings.models import JoinLink, JoinRole, Meeting, MeetingStatus

STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 10:00 in Nairobi


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def book(django_capture_on_commit_callbacks, service, practitioner):
    """Book through the real services; signals, receivers and (eager) meeting tasks all run."""

    def book(*, on=None, starts_at=STARTS_AT):
        with django_capture_on_commit_callbacks(execute=True):
            return booking_services.booking_create(
                service=on or service,
                practitioner=practitioner,
                starts_at=starts_at,
                patient_name="Achieng Otieno",
                patient_email="achieng@example.com",
                patient_phone="0712 345 678",
                enforce_availability=False,
            )

    return book


def token_of(url):
    return url.rsplit("/", 1)[-1]


# --- Conference -------------------------------------------------------------------------------


def test_each_role_gets_its_own_absolute_join_link(book):
    booking = book()

    patient = hooks.conference_for(booking, "patient")
    host = hooks.conference_for(booking, "host")

    assert patient.join_url.startswith(settings.SITE_URL + "/j/")
    assert host.join_url.startswith(settings.SITE_URL + "/j/")
    assert patient.join_url != host.join_url
    assert JoinLink.objects.get(token=token_of(patient.join_url)).role == JoinRole.PATIENT
    assert JoinLink.objects.get(token=token_of(host.join_url)).role == JoinRole.HOST


def test_a_confirmed_booking_reads_ready_with_its_provider(book):
    booking = book()

    conference = hooks.conference_for(booking, "patient")

    assert Meeting.objects.get(booking=booking).status == MeetingStatus.ACTIVE
    assert (conference.status, conference.status_label) == ("active", "Ready")
    assert conference.provider_label == registry.provider_label("selfhosted")
    assert conference.is_fallback is False


def test_before_the_room_exists_the_link_is_given_as_being_created(service, practitioner):
    # No on-commit callbacks run here, so no task has made the meeting yet.
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=STARTS_AT,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )

    conference = hooks.conference_for(booking, "patient")

    assert conference.status_label == "Being created"
    assert conference.join_url.startswith(settings.SITE_URL + "/j/")


def test_a_fallback_meeting_tells_the_host_why_and_the_patient_only_that_it_works(book):
    booking = book()
    Meeting.objects.filter(booking=booking).update(is_fallback=True, fallback_reason="Zoom kept answering 500")

    host = hooks.conference_for(booking, "host")
    patient = hooks.conference_for(booking, "patient")

    assert host.is_fallback and patient.is_fallback
    assert host.status_label == "Failed – using backup room"
    assert "Zoom kept answering 500" in host.notice
    assert patient.status_label == "Ready"
    assert "Zoom" not in patient.notice


def test_an_in_person_booking_has_no_conference(book, clinic, practitioner):
    in_person = ServiceFactory(clinic=clinic, practitioners=[practitioner], is_online=False, meeting_platform="")

    booking = book(on=in_person)

    assert hooks.conference_for(booking, "patient") is None
    assert not Meeting.objects.filter(booking=booking).exists()


def test_a_booking_awaiting_approval_has_no_conference_yet(book, clinic, practitioner):
    manual = ServiceFactory(clinic=clinic, practitioners=[practitioner], confirmation_policy=ConfirmationPolicy.MANUAL)

    booking = book(on=manual)

    assert booking.status == BookingStatus.PENDING
    assert hooks.conference_for(booking, "patient") is None


def test_a_cancelled_booking_has_no_conference(book, django_capture_on_commit_callbacks):
    booking = book()
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.booking_cancel(booking=booking, by=CancelledBy.CLINIC)

    assert hooks.conference_for(booking, "patient") is None


# --- The pages that show it ------------------------------------------------------------------------


def test_the_manage_page_shows_the_patient_link_and_never_a_host_link(client, book):
    booking = book()
    meeting = Meeting.objects.get(booking=booking)
    host_token = JoinLink.objects.get(booking=booking, role=JoinRole.HOST).token
    patient_token = JoinLink.objects.get(booking=booking, role=JoinRole.PATIENT).token

    page = client.get(reverse("booking_manage", args=[booking.token])).text

    assert f"/j/{patient_token}" in page
    assert host_token not in page
    assert meeting.host_url not in page or meeting.host_url == meeting.join_url
    assert "Ready" in page


def test_approving_a_booking_on_the_dashboard_gives_both_sides_a_working_link(
    client, clinic, practitioner, django_capture_on_commit_callbacks, time_machine
):
    manual = ServiceFactory(clinic=clinic, practitioners=[practitioner], confirmation_policy=ConfirmationPolicy.MANUAL)
    booking = booking_services.booking_create(
        service=manual,
        practitioner=practitioner,
        starts_at=STARTS_AT,
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    client.login(username=practitioner.user.username, password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clinic_booking_action", args=[clinic.slug, booking.pk, "approve"]))

    meeting = Meeting.objects.get(booking=booking, is_current=True)
    assert meeting.status == MeetingStatus.ACTIVE
    patient_token = JoinLink.objects.get(booking=booking, role=JoinRole.PATIENT).token
    host_token = JoinLink.objects.get(booking=booking, role=JoinRole.HOST).token
    assert f"/j/{patient_token}" in client.get(reverse("booking_manage", args=[booking.token])).text
    assert f"/j/{host_token}" in client.get(reverse("clinic_booking", args=[clinic.slug, booking.pk])).text

    time_machine.move_to(STARTS_AT - timedelta(minutes=5), tick=False)
    response = client.get(reverse("meeting_join", args=[patient_token]))
    assert response.status_code == 302
    assert response["Location"] == meeting.join_url
    assert response["Location"].startswith(meeting.booking.clinic.meeting_settings.base_url + "/")


# --- Platforms for the service editor -----------------------------------------------------------------


def test_every_registered_platform_is_listed_once(clinic, practitioner):
    platforms = hooks.meeting_platforms(clinic, practitioner)

    assert [p.key for p in platforms] == list(registry.PROVIDERS)


def test_the_selfhosted_rooms_are_always_usable(clinic, practitioner):
    platforms = {p.key: p for p in hooks.meeting_platforms(clinic, practitioner)}

    assert platforms["selfhosted"].usable


@pytest.mark.parametrize("key", ["google", "zoom", "microsoft"])
def test_an_unconnected_account_platform_points_to_the_integrations_page(clinic, practitioner, key):
    platform = {p.key: p for p in hooks.meeting_platforms(clinic, practitioner)}[key]

    assert not platform.usable
    assert platform.reason
    assert platform.fix_url == "/integrations/"


def test_a_registered_platform_whose_module_is_missing_is_reported_unusable(clinic, practitioner, monkeypatch):
    monkeypatch.setitem(registry.OWN_PROVIDERS, "whereby", ("Whereby", "meetings.providers.whereby.WherebyProvider"))

    platform = {p.key: p for p in hooks.meeting_platforms(clinic, practitioner)}["whereby"]

    assert not platform.usable
    assert "not available" in platform.reason
