"""Admin for platform staff: secrets masked, meetings view-only, the audit trail untouchable."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from bookings import services as booking_services
from clinicpro.testing.factories import PASSWORD, UserFactory
from meetings.models import ClinicMeetingSettings, Meeting, MeetingEvent, MeetingStatus, settings_for

SECRET = "jitsi-app-secret-0123456789-abcdef"
HOST_URL = "https://meet.clinicpro.local/cp-room-admin?jwt=moderator-token-do-not-show"
PASSCODE = "passcode-481516"


@pytest.fixture
def admin_client(client, db):
    staff = UserFactory(username="platform", is_staff=True, is_superuser=True)
    client.login(username=staff.username, password=PASSWORD)
    return client


@pytest.fixture
def meeting(time_machine, service, practitioner):
    time_machine.move_to(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), tick=False)
    booking = booking_services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
        patient_name="Achieng Otieno",
        patient_email="achieng@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    Meeting.objects.filter(booking=booking).delete()  # the pending row confirming wrote; this test sets its own
    meeting = Meeting.objects.create(
        booking=booking,
        provider="zoom",
        status=MeetingStatus.ACTIVE,
        external_id="85746352413",
        join_url="https://zoom.example/j/85746352413",
        host_url=HOST_URL,
        passcode=PASSCODE,
    )
    MeetingEvent.objects.create(
        booking=booking, meeting=meeting, action="create", provider="zoom", outcome="ok", duration_ms=212
    )
    return meeting


@pytest.fixture
def configured(clinic):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "uhuru-app", SECRET
    config.save()
    return config


# --- Clinic meeting settings ---------------------------------------------------------------------


def test_the_settings_list_never_shows_the_secret(admin_client, configured):
    page = admin_client.get(reverse("admin:meetings_clinicmeetingsettings_changelist")).text

    assert "Uhuru Health" in page
    assert SECRET not in page


def test_the_settings_form_masks_the_secret(admin_client, configured):
    page = admin_client.get(reverse("admin:meetings_clinicmeetingsettings_change", args=[configured.pk])).text

    assert SECRET not in page
    assert "cdef" in page


def test_staff_saving_without_a_new_secret_keep_the_old_one(admin_client, configured, clinic):
    url = reverse("admin:meetings_clinicmeetingsettings_change", args=[configured.pk])
    response = admin_client.post(
        url,
        {
            "clinic": clinic.pk,
            "default_provider": "selfhosted",
            "fallback_provider": "selfhosted",
            "base_url": "https://meet.uhuru-health.co.ke",
            "jitsi_app_id": "uhuru-app",
            "jitsi_app_secret": "",
            "jitsi_audience": "jitsi",
            "join_opens_minutes_before": "20",
            "join_closes_minutes_after": "60",
        },
    )

    assert response.status_code == 302
    configured.refresh_from_db()
    assert configured.jitsi_app_secret == SECRET
    assert configured.join_opens_minutes_before == 20


def test_staff_get_the_same_validation_as_owners(admin_client, configured, clinic):
    url = reverse("admin:meetings_clinicmeetingsettings_change", args=[configured.pk])
    response = admin_client.post(
        url,
        {
            "clinic": clinic.pk,
            "default_provider": "selfhosted",
            "fallback_provider": "selfhosted",
            "base_url": "http://insecure.example.com",
            "jitsi_app_id": "uhuru-app",
            "jitsi_audience": "jitsi",
            "join_opens_minutes_before": "20",
            "join_closes_minutes_after": "60",
        },
    )

    assert response.status_code == 200
    assert "must use https://" in response.text
    assert ClinicMeetingSettings.objects.get(pk=configured.pk).base_url != "http://insecure.example.com"


# --- Meetings ---------------------------------------------------------------------------------------


def test_the_meeting_page_masks_the_host_link_and_passcode(admin_client, meeting):
    page = admin_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).text

    assert "85746352413" in page
    assert HOST_URL not in page
    assert "moderator-token" not in page
    assert PASSCODE not in page


def test_the_meeting_page_lists_its_audit_trail(admin_client, meeting):
    page = admin_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).text

    assert "212" in page
    assert "Create" in page


@pytest.mark.parametrize(
    "query", ["?status__exact=active", "?provider__exact=zoom", "?is_fallback__exact=0", "?q=85746352413"]
)
def test_meetings_can_be_filtered_and_searched(admin_client, meeting, query):
    page = admin_client.get(reverse("admin:meetings_meeting_changelist") + query).text

    assert f"/admin/meetings/meeting/{meeting.pk}/change/" in page


def test_meetings_can_be_found_by_booking_token(admin_client, meeting):
    page = admin_client.get(reverse("admin:meetings_meeting_changelist") + f"?q={meeting.booking.token}").text

    assert f"/admin/meetings/meeting/{meeting.pk}/change/" in page


def test_meetings_cannot_be_added_changed_or_deleted_in_admin(admin_client, meeting):
    assert admin_client.get(reverse("admin:meetings_meeting_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), {"status": "cancelled"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACTIVE


# --- The audit trail ---------------------------------------------------------------------------------


def test_the_audit_trail_is_read_only(admin_client, meeting):
    event = MeetingEvent.objects.get(meeting=meeting)

    assert admin_client.get(reverse("admin:meetings_meetingevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:meetings_meetingevent_add")).status_code == 403
    detail = admin_client.get(reverse("admin:meetings_meetingevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text
    assert (
        admin_client.post(reverse("admin:meetings_meetingevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert MeetingEvent.objects.filter(pk=event.pk).exists()
