"""The meetings app behind the service editor: per-practitioner platforms, and true words when one falls back.

A shared service, Dr. Wanjiru Kamau with Google connected and Dr. Otieno Were without it.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from bookings import hooks
from bookings.models import ConfirmationPolicy, Service
from integrations.models import Connection, ConnectionStatus
from meetings.models import Meeting
from meetings.testing.scenes import book_online
from notifications.models import Kind, Message

STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 10:00 in Nairobi
NO_GOOGLE = "Dr. Otieno Were has no Google connection, so a ClinicPro room (Jitsi) link was made instead"


@pytest.fixture
def google_for_wanjiru(practitioner):
    """Wanjiru's Google account, as integrations stores it once she has connected (the OAuth flow is tested there)."""
    return Connection.objects.create(
        clinic=practitioner.clinic,
        membership=practitioner.membership,
        provider="google",
        access_token="ya29.wanjiru-access-token",
        refresh_token="1//wanjiru-refresh-token",
        expires_at=timezone.now() + timedelta(hours=1),
        account_email="wanjiru.kamau@gmail.test",
    )


def edit_url(service):
    return reverse("clinic_service_edit", args=[service.clinic.slug, service.pk])


def service_data(service, **overrides):
    return {
        "name": service.name,
        "duration_minutes": 30,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "price": 0,
        "is_online": "on",
        "meeting_platform": "google",
        "confirmation_policy": ConfirmationPolicy.AUTOMATIC,
        "min_notice_minutes": 0,
        "horizon_days": 30,
        "practitioners": [p.pk for p in service.practitioners.all()],
        **overrides,
    }


# --- What the hooks report per practitioner ----------------------------------------------------------


def test_a_practitioner_without_google_is_told_the_fact_and_what_they_get_instead(clinic, colleague):
    google = {p.key: p for p in hooks.meeting_platforms(clinic, colleague)}["google"]

    assert (google.usable, google.reason, google.fallback_label) == (
        False,
        "no Google connection",
        "ClinicPro room (Jitsi)",
    )


def test_a_connection_that_needs_reconnecting_is_called_that(clinic, practitioner, google_for_wanjiru):
    Connection.objects.filter(pk=google_for_wanjiru.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)

    google = {p.key: p for p in hooks.meeting_platforms(clinic, practitioner)}["google"]

    assert (google.usable, google.reason) == (False, "Google connection needs reconnecting")


# --- The service editor ------------------------------------------------------------------------------


def test_an_owner_can_give_a_shared_service_the_google_meet_its_practitioner_connected(
    client, owner, shared_service, google_for_wanjiru
):
    client.force_login(owner)

    page = client.get(edit_url(shared_service))

    assertContains(page, '<option value="google">Google Meet</option>', html=True)


def test_the_editor_shows_what_each_practitioners_bookings_will_use(client, owner, shared_service, google_for_wanjiru):
    Service.objects.filter(pk=shared_service.pk).update(meeting_platform="google")
    client.force_login(owner)

    page = client.get(edit_url(shared_service))

    assertContains(page, "<li>Dr. Wanjiru Kamau: Google Meet</li>", html=True)
    assertContains(
        page,
        '<li class="fallback">Dr. Otieno Were: ClinicPro room (Jitsi) – no Google connection</li>',
        html=True,
    )


def test_a_practitioner_cannot_silently_send_a_colleagues_bookings_to_the_backup_room(
    client, practitioner, colleague, shared_service, google_for_wanjiru
):
    client.force_login(practitioner.user)

    refused = client.post(edit_url(shared_service), service_data(shared_service))

    assertContains(refused, "Bookings with Dr. Otieno Were will use the backup instead: ClinicPro room (Jitsi).")
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "selfhosted"

    saved = client.post(
        edit_url(shared_service), service_data(shared_service, accept_fallback=f"google:{colleague.pk}")
    )

    assert saved.status_code == 302
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "google"


# --- The booking that went to the backup room ---------------------------------------------------------


@pytest.fixture
def book_on_google(time_machine, django_capture_on_commit_callbacks, shared_service):
    """Book the shared service, set to Google Meet, with one of its practitioners; the meeting is made at once."""
    time_machine.move_to(STARTS_AT - timedelta(days=1), tick=False)  # so the booking starts at STARTS_AT
    Service.objects.filter(pk=shared_service.pk).update(meeting_platform="google")
    shared_service.refresh_from_db()

    def book(practitioner):
        with django_capture_on_commit_callbacks(execute=True):
            return book_online(shared_service, practitioner, hours_ahead=24)

    return book


@pytest.fixture
def fallen_back(book_on_google, colleague, google_for_wanjiru):
    """Otieno's booking: he has no Google, so it gets a ClinicPro room."""
    booking = book_on_google(colleague)
    meeting = Meeting.objects.get(booking=booking, is_current=True)
    assert (meeting.provider, meeting.is_fallback) == ("selfhosted", True)
    return booking


def test_the_fallback_names_who_has_no_connection_in_one_sentence(client, owner, fallen_back):
    client.force_login(owner)

    page = client.get(reverse("clinic_booking", args=[fallen_back.clinic.slug, fallen_back.pk])).text

    assert f"This booking uses the backup room because {NO_GOOGLE}." in page
    assert "instead.." not in page
    assert "reconnect" not in page.lower()


def test_the_clinic_is_alerted_truthfully_and_nobody_is_asked_to_reconnect(fallen_back):
    alerts = Message.objects.filter(kind=Kind.ALERT)

    assert {alert.subject for alert in alerts} == {"Backup room used: Shared consultation, Tue 3 Mar, 10:00 EAT"}
    assert all(f"because {NO_GOOGLE}. The patient's link keeps working." in alert.body for alert in alerts)


def test_zoom_says_that_neither_the_practitioner_nor_the_clinic_has_an_account(clinic, colleague):
    zoom = {p.key: p for p in hooks.meeting_platforms(clinic, colleague)}["zoom"]

    assert (zoom.usable, zoom.reason) == (False, "no Zoom connection and no clinic Zoom account")


def test_a_booking_whose_practitioner_must_reconnect_says_so_by_name(book_on_google, practitioner, google_for_wanjiru):
    Connection.objects.filter(pk=google_for_wanjiru.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)

    booking = book_on_google(practitioner)

    meeting = Meeting.objects.get(booking=booking, is_current=True)
    assert (meeting.provider, meeting.fallback_reason) == (
        "selfhosted",
        "The Google connection of Dr. Wanjiru Kamau needs reconnecting, "
        "so a ClinicPro room (Jitsi) link was made instead",
    )
