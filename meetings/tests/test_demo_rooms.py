"""The demo clinic's rooms open on the sandbox's room server, with host and patient links it tells apart."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from clinicpro.tests.test_settings import PRODUCTION, load_settings
from meetings.models import Meeting, settings_for
from meetings.services import meeting_renew_links


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def demo_meetings() -> list[Meeting]:
    return list(Meeting.objects.filter(booking__clinic__slug="demo", is_current=True).select_related("booking"))


@pytest.mark.parametrize(
    ("env", "server"),
    [
        ({"DEBUG": "1", "SITE_URL": "http://127.0.0.1:8123"}, "http://127.0.0.1:8123/sandbox/room"),
        (PRODUCTION, "https://meet.clinicpro.local"),
    ],
    ids=["demo", "production"],
)
def test_rooms_live_on_the_sandbox_room_server_only_with_the_sandbox(env, server, tmp_path):
    result = load_settings(env, tmp_path, "settings.MEETINGS_SELFHOSTED_BASE_URL")

    assert result.stdout.strip() == repr(server), result.stderr


@pytest.mark.django_db
def test_the_demo_clinic_signs_its_links_so_host_and_patient_differ(settings):
    seed()

    meetings = demo_meetings()
    assert meetings
    config = settings_for(meetings[0].booking.clinic)
    assert config.uses_jwt
    assert config.base_url == settings.MEETINGS_SELFHOSTED_BASE_URL
    for meeting in meetings:
        assert meeting.host_url != meeting.join_url
        assert meeting.join_url.startswith(f"{config.base_url}/{meeting.external_id}?jwt=")


@pytest.mark.django_db
def test_the_sandbox_room_tells_the_demo_host_from_the_patient(client, time_machine):
    seed()
    meeting = demo_meetings()[0]
    time_machine.move_to(meeting.booking.starts_at)
    server = urlsplit(meeting.join_url).netloc

    def opened(url):
        parts = urlsplit(url)
        return client.get(f"{parts.path}?{parts.query}", HTTP_HOST=server)

    host = opened(meeting.host_url)
    patient = opened(meeting.join_url)

    assert host.status_code == patient.status_code == 200
    assert f"You joined as <strong>{meeting.booking.practitioner.display_name}</strong>, the host" in host.text
    assert "You joined as <strong>Patient</strong>, a guest." in patient.text


@pytest.mark.django_db
def test_seeding_again_gives_back_the_credentials_and_signs_rooms_left_open():
    seed()
    meeting = demo_meetings()[0]
    config = settings_for(meeting.booking.clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "", ""
    config.save()
    meeting_renew_links(booking_id=meeting.booking_id, actor="test")
    meeting.refresh_from_db()
    assert meeting.host_url == meeting.join_url

    seed()

    renewed = Meeting.objects.get(pk=meeting.pk)
    assert settings_for(meeting.booking.clinic).uses_jwt
    assert renewed.external_id == meeting.external_id
    assert renewed.host_url != renewed.join_url
