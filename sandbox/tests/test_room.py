"""The sandbox's room server: it admits ClinicPro's links as a Jitsi server with token authentication does."""

import base64
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from meetings.models import Meeting, settings_for
from sandbox.models import RoomJoin

pytestmark = pytest.mark.django_db

SERVER = "http://testserver/sandbox/room"
SECRET = "uhuru-room-server-secret-0123456789-abcdef"


@pytest.fixture
def signed_rooms(clinic):
    """The clinic's rooms live on the sandbox server, which checks tokens with the clinic's app secret."""
    config = settings_for(clinic)
    config.base_url = SERVER
    config.jitsi_app_id = "uhuru-app"
    config.jitsi_app_secret = SECRET
    config.save()
    return config


@pytest.fixture
def open_rooms(clinic):
    config = settings_for(clinic)
    config.base_url = SERVER
    config.save()
    return config


def meeting_of(booking) -> Meeting:
    return Meeting.objects.get(booking=booking, is_current=True)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def open_link(client, url: str, **headers):
    return client.get(path_of(url), **headers)


def roster(response) -> list[tuple[str, str]]:
    """(name, role) of everyone the room page lists."""
    items = re.findall(r'<li class="participant">(.*?)</li>', response.text, re.S)
    return [
        (re.search(r"<strong>(.*?)</strong>", item)[1], re.search(r'<span class="badge[^"]*">(.*?)</span>', item)[1])
        for item in items
    ]


def with_claims_changed(url: str, **changes) -> str:
    """The link with its token's payload edited and the original signature kept, as a tamperer would."""
    head, query = url.split("?jwt=")
    header, payload, signature = query.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}?jwt={header}.{edited}.{signature}"


@pytest.fixture
def soon(make_booking):
    """A confirmed online booking starting in ten minutes: inside its links' validity."""

    def book(minutes_ahead: int = 10, **kwargs):
        return make_booking(
            timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=minutes_ahead), **kwargs
        )

    return book


# --- Signed rooms ---------------------------------------------------------------------------------


def test_the_host_link_admits_the_practitioner_as_host(client, signed_rooms, soon):
    meeting = meeting_of(soon())

    response = open_link(client, meeting.host_url)

    assert response.status_code == 200
    assert "You joined as <strong>Dr. Wanjiru Kamau</strong>, the host (moderator)." in response.text
    assert roster(response) == [("Dr. Wanjiru Kamau", "Host · moderator")]
    join = RoomJoin.objects.get(room=meeting.external_id)
    assert (join.display_name, join.is_moderator, join.signed) == ("Dr. Wanjiru Kamau", True, True)


def test_the_patient_link_admits_a_guest_and_the_room_lists_both(client, signed_rooms, soon):
    meeting = meeting_of(soon())
    open_link(Client(), meeting.host_url)

    response = open_link(client, meeting.join_url)

    assert response.status_code == 200
    assert "You joined as <strong>Patient</strong>, a guest." in response.text
    assert "Only the host's link makes a moderator." in response.text
    assert roster(response) == [("Dr. Wanjiru Kamau", "Host · moderator"), ("Patient", "Guest")]


def test_opening_the_same_link_again_is_the_same_participant(client, signed_rooms, soon):
    meeting = meeting_of(soon())

    open_link(client, meeting.join_url)
    open_link(client, meeting.join_url)

    assert RoomJoin.objects.filter(room=meeting.external_id).count() == 1


def test_a_patient_who_makes_themself_moderator_breaks_the_signature(client, signed_rooms, soon):
    meeting = meeting_of(soon())

    response = open_link(
        client, with_claims_changed(meeting.join_url, context={"user": {"name": "Patient", "moderator": True}})
    )

    assert response.status_code == 403
    assert "signature does not match the room server&#x27;s secret" in response.text
    assert not RoomJoin.objects.exists()


def unsigned(claims: dict) -> str:
    """The claims as a token with no signature at all ("alg": "none")."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{payload}."


@pytest.mark.parametrize("token", ["%00", "a.b.c", "unsigned"])
def test_a_malformed_or_unsigned_token_gets_a_clear_refusal(client, signed_rooms, soon, token):
    meeting = meeting_of(soon())
    if token == "unsigned":
        token = unsigned({"iss": "uhuru-app", "aud": "jitsi", "sub": "*", "room": "*", "exp": 2**31 - 1})

    response = client.get(f"{urlsplit(meeting.join_url).path}?jwt={token}")

    assert response.status_code == 403
    assert "<h1>You cannot join this room</h1>" in response.text
    assert not RoomJoin.objects.exists()


def test_a_link_signed_with_another_secret_is_refused(client, signed_rooms, soon):
    meeting = meeting_of(soon())
    signed_rooms.jitsi_app_secret = "a-different-room-server-secret-0123456789"
    signed_rooms.save()

    response = open_link(client, meeting.host_url)

    assert response.status_code == 403
    assert "signature does not match" in response.text


@pytest.mark.parametrize(
    ("moment", "refusal"),
    [
        (lambda booking: booking.ends_at + timedelta(minutes=61), "This link has expired"),
        (lambda booking: booking.starts_at - timedelta(minutes=16), "This link is not valid yet"),
    ],
    ids=["after-the-join-window", "before-the-join-window"],
)
def test_a_link_works_only_around_its_appointment(client, signed_rooms, soon, time_machine, moment, refusal):
    booking = soon()
    meeting = meeting_of(booking)
    time_machine.move_to(moment(booking))

    response = open_link(client, meeting.join_url)

    assert response.status_code == 403
    assert refusal in response.text


def test_a_link_for_another_room_is_refused(client, signed_rooms, soon):
    first, second = meeting_of(soon()), meeting_of(soon(minutes_ahead=60))
    stolen_token = urlsplit(first.host_url).query

    response = client.get(f"{urlsplit(second.join_url).path}?{stolen_token}")

    assert response.status_code == 403
    assert "This link is for another room." in response.text


def test_a_link_for_another_server_is_refused(client, signed_rooms, soon):
    meeting = meeting_of(soon())

    response = open_link(client, meeting.host_url, HTTP_HOST="localhost")

    assert response.status_code == 403
    assert "This link is for another room server." in response.text


def test_a_link_without_its_token_is_refused(client, signed_rooms, soon):
    meeting = meeting_of(soon())

    response = client.get(urlsplit(meeting.host_url).path)

    assert response.status_code == 403
    assert "admits only signed links" in response.text


def test_a_room_nobody_made_is_not_found(client, signed_rooms):
    response = client.get("/sandbox/room/nosuchroom")

    assert response.status_code == 404
    assert "No room by this name" in response.text


# --- Open rooms -----------------------------------------------------------------------------------


def test_an_open_room_says_anyone_with_the_link_is_equal_and_the_first_moderates(client, open_rooms, soon):
    meeting = meeting_of(soon())
    assert meeting.host_url == meeting.join_url

    first = open_link(client, meeting.host_url)
    second = open_link(Client(), meeting.join_url)

    assert first.status_code == second.status_code == 200
    assert "this room server has no secret, so anyone with the link is equal. The first to join moderates." in (
        second.text
    )
    assert roster(second) == [("Guest 1", "Moderator · first to join"), ("Guest 2", "Guest")]
    assert "<strong>Guest 2</strong> (you)" in second.text


def test_an_open_room_knows_a_returning_browser(client, open_rooms, soon):
    meeting = meeting_of(soon())

    open_link(client, meeting.join_url)
    open_link(client, meeting.join_url)

    assert RoomJoin.objects.filter(room=meeting.external_id).count() == 1
