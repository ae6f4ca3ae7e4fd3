"""Room settings changed after meetings were made: their links are renewed in the same rooms."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from meetings.models import JoinLink, JoinRole, Meeting, MeetingStatus
from meetings.services import meetings_run_due

from .test_config import SECRET, settings_url, signed_in, valid_form

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
SERVER = "https://meet.uhuru-health.co.ke"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def open_room(make_booking):
    """A confirmed online booking whose room was made before the clinic set its room server's secret."""
    booking = make_booking(STARTS_AT)
    meeting = Meeting.objects.get(booking=booking, is_current=True)
    assert meeting.status == MeetingStatus.ACTIVE and meeting.host_url == meeting.join_url
    return meeting


def join_links(meeting: Meeting) -> dict[str, str]:
    """The /j/ tokens patients and hosts were sent, by role."""
    return dict(JoinLink.objects.filter(booking=meeting.booking_id).values_list("role", "token"))


def claims(url: str) -> dict:
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    # Valid from the join window before the appointment, which is tomorrow.
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", options={"verify_nbf": False})


def assert_signed_in_the_same_room(meeting: Meeting, room: str) -> None:
    assert meeting.external_id == room
    assert meeting.join_url.startswith(f"{SERVER}/{room}?jwt=") and meeting.host_url.startswith(f"{SERVER}/{room}?jwt=")
    patient, host = claims(meeting.join_url), claims(meeting.host_url)
    assert patient["room"] == host["room"] == room
    assert patient["context"]["user"]["moderator"] is False
    assert host["context"]["user"]["moderator"] is True


def test_setting_the_room_secret_signs_the_links_of_meetings_already_made(
    client, clinic, owner, open_room, django_capture_on_commit_callbacks
):
    sent_links = join_links(open_room)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, owner).post(
            settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret=SECRET)
        )

    assert response.status_code == 302
    renewed = Meeting.objects.get(pk=open_room.pk)
    assert_signed_in_the_same_room(renewed, open_room.external_id)
    assert renewed.next_attempt_at is None
    assert join_links(renewed) == sent_links and set(sent_links) == {JoinRole.PATIENT, JoinRole.HOST}
    page = client.get(response["Location"]).text
    assert "The links of 1 coming ClinicPro room are being renewed with them; their /j/ links stay the same." in page


def test_the_due_pass_renews_them_when_the_queued_task_is_lost(client, clinic, owner, open_room):
    # No on-commit callback runs here: the task that would renew at once is never queued.
    signed_in(client, owner).post(settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret=SECRET))
    waiting = Meeting.objects.get(pk=open_room.pk)
    assert waiting.host_url == waiting.join_url and waiting.next_attempt_at is not None

    assert meetings_run_due(budget_seconds=5, actor="test") == 1

    assert_signed_in_the_same_room(Meeting.objects.get(pk=open_room.pk), open_room.external_id)


def test_a_meeting_already_made_with_the_current_settings_is_left_as_it_is(open_room):
    Meeting.objects.filter(pk=open_room.pk).update(next_attempt_at=NOW)

    meetings_run_due(budget_seconds=5, actor="test")

    unchanged = Meeting.objects.get(pk=open_room.pk)
    assert (unchanged.join_url, unchanged.host_url) == (open_room.join_url, open_room.host_url)
    assert unchanged.next_attempt_at is None


def test_saving_settings_that_links_are_not_made_from_renews_nothing(
    client, clinic, owner, open_room, django_capture_on_commit_callbacks
):
    owner_client = signed_in(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = owner_client.post(settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret=SECRET))
    assert "The links of 1 coming ClinicPro room are being renewed" in owner_client.get(first["Location"]).text
    signed = Meeting.objects.get(pk=open_room.pk)

    # The same settings again (a blank secret keeps the stored one), and another invitation choice.
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", send_provider_invites="on")
        )

    assert "renewed" not in client.get(response["Location"]).text
    again = Meeting.objects.get(pk=open_room.pk)
    assert (again.join_url, again.host_url, again.next_attempt_at) == (signed.join_url, signed.host_url, None)


def test_rotating_the_secret_key_leaves_links_made_under_the_old_one_as_they_are(open_room, settings):
    from meetings.selection import provider_for

    record = Meeting.objects.get(pk=open_room.pk).as_record()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-newer-key-" + "x" * 50

    assert provider_for(open_room.booking, open_room.provider).links_outdated(record) is False
    settings.SECRET_KEY_FALLBACKS = []
    assert provider_for(open_room.booking, open_room.provider).links_outdated(record) is True
