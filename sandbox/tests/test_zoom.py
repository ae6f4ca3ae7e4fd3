"""Zoom: OAuth (user and Server-to-Server) and the meetings API, over real HTTP."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from sandbox import faults, world
from sandbox.models import Service, ZoomDailyUsage
from sandbox.testing import answer_consent, pkce_pair, query_of

REDIRECT = "http://clinic.test/integrations/zoom/callback"
BASIC = ("zoom-client", "zoom-secret")


def api(http, sandbox, method, path, token, **kwargs):
    return http.request(method, f"{sandbox}/zoom/v2{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


@pytest.fixture
def token(sandbox):
    return world.issue_tokens(Service.ZOOM, "dr.amina@zoom.test").access_token


MEETING = {
    "topic": "Consultation with Dr. Amina",
    "type": 2,
    "start_time": "2030-03-04T09:00:00Z",
    "duration": 30,
    "timezone": "Africa/Nairobi",
    "agenda": "clinicpro:meeting:42",
    "password": "k7Qp2x",
    "settings": {"waiting_room": True, "join_before_host": True, "mute_upon_entry": True},
}


def create(http, sandbox, token, **changes):
    return api(http, sandbox, "POST", "/users/me/meetings", token, json={**MEETING, **changes})


def connect(http, sandbox):
    verifier, challenge = pkce_pair()
    url = f"{sandbox}/zoom/oauth/authorize?" + urlencode(
        {
            "response_type": "code",
            "client_id": BASIC[0],
            "redirect_uri": REDIRECT,
            "state": "z-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    code = query_of(answer_consent(url, session=http))["code"]
    return http.post(
        f"{sandbox}/zoom/oauth/token",
        auth=BASIC,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
    )


def test_the_code_exchange_needs_basic_auth_and_answers_zoom_tokens(sandbox, http):
    answer = connect(http, sandbox)

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] and body["access_token"]
    assert body["expires_in"] == 3599
    me = api(http, sandbox, "GET", "/users/me", body["access_token"]).json()
    assert me["email"] == "dr.amina@zoom.test"
    assert me["id"] == world.account(Service.ZOOM, "dr.amina@zoom.test").uid


def test_credentials_in_the_body_instead_of_basic_auth_are_refused(sandbox, http):
    answer = http.post(
        f"{sandbox}/zoom/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "acc1", "client_id": "x", "client_secret": "y"},
    )

    assert answer.status_code == 401
    assert answer.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}


def test_the_refresh_token_rotates_and_the_old_one_dies(sandbox, http):
    tokens = connect(http, sandbox).json()

    first = http.post(
        f"{sandbox}/zoom/oauth/token",
        auth=BASIC,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    reused = http.post(
        f"{sandbox}/zoom/oauth/token",
        auth=BASIC,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    second = http.post(
        f"{sandbox}/zoom/oauth/token",
        auth=BASIC,
        data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
    )

    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    assert reused.status_code == 400
    assert reused.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    assert second.status_code == 200


def test_server_to_server_credentials_get_an_access_token_and_no_refresh_token(sandbox, http):
    answer = http.post(f"{sandbox}/zoom/oauth/token?grant_type=account_credentials&account_id=Kc9vQy2xT", auth=BASIC)

    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body
    assert body["expires_in"] == 3600
    created = create(http, sandbox, body["access_token"])
    assert created.status_code == 201


def test_a_server_to_server_token_creates_meetings_for_a_user_of_its_account_by_email(sandbox, http):
    body = http.post(
        f"{sandbox}/zoom/oauth/token", auth=BASIC, data={"grant_type": "account_credentials", "account_id": "Kc9vQy2xT"}
    ).json()

    created = api(http, sandbox, "POST", "/users/dr.wanjiru@clinic.test/meetings", body["access_token"], json=MEETING)

    assert created.status_code == 201
    assert created.json()["host_email"] == "dr.wanjiru@clinic.test"


def test_a_user_token_cannot_act_for_another_user(sandbox, http, token):
    answer = api(http, sandbox, "POST", "/users/someone@else.test/meetings", token, json=MEETING)

    assert answer.status_code == 404
    assert answer.json() == {"code": 1001, "message": "User does not exist: someone@else.test."}


def test_revoke_ends_the_grant(sandbox, http):
    tokens = connect(http, sandbox).json()

    revoked = http.post(f"{sandbox}/zoom/oauth/revoke", auth=BASIC, data={"token": tokens["access_token"]})

    assert revoked.json() == {"status": "success"}
    assert api(http, sandbox, "GET", "/users/me", tokens["access_token"]).status_code == 401


def test_creating_a_meeting_answers_201_with_zoom_fields(sandbox, http, token):
    answer = create(http, sandbox, token)

    assert answer.status_code == 201
    meeting = answer.json()
    assert isinstance(meeting["id"], int)
    assert meeting["uuid"] and meeting["host_id"] == world.account(Service.ZOOM, "dr.amina@zoom.test").uid
    assert meeting["join_url"].startswith(f"https://zoom.us/j/{meeting['id']}?pwd=")
    assert meeting["start_url"].startswith(f"https://zoom.us/s/{meeting['id']}?zak=")
    assert meeting["password"] == "k7Qp2x"
    assert meeting["topic"] == MEETING["topic"]
    assert meeting["agenda"] == MEETING["agenda"]
    assert meeting["start_time"] == "2030-03-04T09:00:00Z"
    assert meeting["duration"] == 30
    assert meeting["timezone"] == "Africa/Nairobi"
    assert meeting["settings"]["waiting_room"] is True
    assert meeting["settings"]["mute_upon_entry"] is True
    # The waiting room turns join-before-host off.
    assert meeting["settings"]["join_before_host"] is False


def test_a_start_time_without_offset_is_read_in_the_meetings_timezone(sandbox, http, token):
    meeting = create(http, sandbox, token, start_time="2030-03-04T12:00:00").json()

    assert meeting["start_time"] == "2030-03-04T09:00:00Z"


def test_a_meeting_without_a_password_gets_one(sandbox, http, token):
    body = {key: value for key, value in MEETING.items() if key != "password"}

    meeting = api(http, sandbox, "POST", "/users/me/meetings", token, json=body).json()

    assert meeting["password"]


def test_each_read_mints_a_fresh_start_url(sandbox, http, token):
    meeting_id = create(http, sandbox, token).json()["id"]

    first = api(http, sandbox, "GET", f"/meetings/{meeting_id}", token).json()
    second = api(http, sandbox, "GET", f"/meetings/{meeting_id}", token).json()

    assert first["start_url"] != second["start_url"]
    assert first["join_url"] == second["join_url"]


def test_patch_answers_204_with_an_empty_body_and_changes_the_meeting(sandbox, http, token):
    meeting_id = create(http, sandbox, token).json()["id"]

    answer = api(
        http,
        sandbox,
        "PATCH",
        f"/meetings/{meeting_id}",
        token,
        json={"start_time": "2030-03-05T10:00:00Z", "duration": 45},
    )

    assert answer.status_code == 204
    assert answer.content == b""
    meeting = api(http, sandbox, "GET", f"/meetings/{meeting_id}", token).json()
    assert meeting["start_time"] == "2030-03-05T10:00:00Z"
    assert meeting["duration"] == 45
    assert meeting["topic"] == MEETING["topic"]


def test_delete_answers_204_and_then_the_meeting_does_not_exist(sandbox, http, token):
    meeting_id = create(http, sandbox, token).json()["id"]

    deleted = api(http, sandbox, "DELETE", f"/meetings/{meeting_id}", token)
    again = api(http, sandbox, "DELETE", f"/meetings/{meeting_id}", token)
    read = api(http, sandbox, "GET", f"/meetings/{meeting_id}", token)

    assert deleted.status_code == 204
    assert again.status_code == read.status_code == 404
    assert read.json() == {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


def test_an_unknown_meeting_is_3001(sandbox, http, token):
    answer = api(http, sandbox, "PATCH", "/meetings/123", token, json={"topic": "x"})

    assert answer.status_code == 404
    assert answer.json() == {"code": 3001, "message": "Meeting does not exist: 123."}


def test_another_users_meeting_is_invisible(sandbox, http, token):
    meeting_id = create(http, sandbox, token).json()["id"]
    stranger = world.issue_tokens(Service.ZOOM, "dr.otieno@zoom.test").access_token

    assert api(http, sandbox, "GET", f"/meetings/{meeting_id}", stranger).json()["code"] == 3001


def test_a_bad_token_is_code_124_invalid(sandbox, http):
    answer = api(http, sandbox, "GET", "/users/me", "eyJnot-a-token")

    assert answer.status_code == 401
    assert answer.json() == {"code": 124, "message": "Invalid access token."}


def test_an_expired_token_is_code_124_expired(sandbox, http, token):
    faults.expire_access_tokens(Service.ZOOM)

    answer = create(http, sandbox, token)

    assert answer.status_code == 401
    assert answer.json() == {"code": 124, "message": "Access token is expired."}


def test_invalid_fields_are_validation_failed_code_300(sandbox, http, token):
    answer = create(http, sandbox, token, start_time="next tuesday", password="far-too-long-passcode")

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == 300
    assert body["message"] == "Validation Failed."
    assert {error["field"] for error in body["errors"]} == {"start_time", "password"}


def test_a_body_that_is_not_json_is_code_300(sandbox, http, token):
    answer = api(http, sandbox, "POST", "/users/me/meetings", token, data="topic=x")

    assert answer.status_code == 400
    assert answer.json()["code"] == 300


def test_the_list_pages_and_finds_a_meeting_by_agenda(sandbox, http, token):
    for n in range(5):
        create(http, sandbox, token, agenda=f"clinicpro:meeting:{n}")

    first = api(http, sandbox, "GET", "/users/me/meetings", token, params={"page_size": 3}).json()
    second = api(
        http,
        sandbox,
        "GET",
        "/users/me/meetings",
        token,
        params={"page_size": 3, "next_page_token": first["next_page_token"]},
    ).json()

    assert first["total_records"] == 5
    assert len(first["meetings"]) == 3 and len(second["meetings"]) == 2
    assert second["next_page_token"] == ""
    agendas = [m["agenda"] for m in first["meetings"] + second["meetings"]]
    assert sorted(agendas) == [f"clinicpro:meeting:{n}" for n in range(5)]
    assert all(m["join_url"] for m in first["meetings"])


def test_the_daily_cap_answers_429_once_reached_and_counts_updates_too(sandbox, http, token):
    world.set_zoom_daily_limit(3, "dr.amina@zoom.test")
    meeting_id = create(http, sandbox, token).json()["id"]
    create(http, sandbox, token)
    assert api(http, sandbox, "PATCH", f"/meetings/{meeting_id}", token, json={"duration": 40}).status_code == 204

    capped = create(http, sandbox, token)
    capped_update = api(http, sandbox, "PATCH", f"/meetings/{meeting_id}", token, json={"duration": 50})

    assert capped.status_code == capped_update.status_code == 429
    assert capped.json()["code"] == 429
    assert "daily rate limit (3)" in capped.json()["message"]
    assert capped.headers["X-RateLimit-Type"] == "Daily-limit"
    assert "GMT" in capped.headers["Retry-After"]
    usage = ZoomDailyUsage.objects.get(account__email="dr.amina@zoom.test")
    assert usage.day == datetime.now(UTC).date() and usage.calls == 3


def test_the_daily_cap_is_per_user(sandbox, http, token):
    world.set_zoom_daily_limit(1)
    create(http, sandbox, token)
    other = world.issue_tokens(Service.ZOOM, "dr.otieno@zoom.test").access_token
    world.set_zoom_daily_limit(1)

    assert create(http, sandbox, token).status_code == 429
    assert create(http, sandbox, other).status_code == 201
