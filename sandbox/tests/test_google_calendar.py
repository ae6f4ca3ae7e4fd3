"""Calendar v3 through the real google-api-python-client, pointed at the emulator."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from sandbox import faults, world
from sandbox.models import GoogleEvent, Service

EMAIL = "dr.amina@gmail.test"
START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
DUPLICATE = {
    "error": {
        "errors": [{"domain": "global", "reason": "duplicate", "message": "The requested identifier already exists."}],
        "code": 409,
        "message": "The requested identifier already exists.",
    }
}


def calendar_for(sandbox, tokens, client_id="sandbox-client"):
    credentials = Credentials(
        token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_uri=f"{sandbox}/google/token",
        client_id=client_id,
        client_secret="s3cret",
    )
    return build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{sandbox}/google/calendar/v3/"},
    )


@pytest.fixture
def tokens(sandbox):
    return world.issue_tokens(Service.GOOGLE, EMAIL)


@pytest.fixture
def calendar(sandbox, tokens):
    return calendar_for(sandbox, tokens)


def event_body(event_id=None, start=START, minutes=30, **extra):
    body = {
        "summary": "Online consultation",
        "start": {"dateTime": start.isoformat(), "timeZone": "Africa/Nairobi"},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat(), "timeZone": "Africa/Nairobi"},
        "conferenceData": {"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}},
        **extra,
    }
    if event_id:
        body["id"] = event_id
    return body


def insert(calendar, body, **params):
    params.setdefault("conferenceDataVersion", 1)
    params.setdefault("sendUpdates", "none")
    return calendar.events().insert(calendarId="primary", body=body, **params).execute()


def error_of(raised) -> dict:
    return json.loads(raised.value.content)


def test_the_client_library_lands_on_the_emulated_calendar(calendar):
    request = calendar.events().insert(calendarId="primary", body={}, conferenceDataVersion=1)

    assert "/sandbox/google/calendar/v3/calendars/primary/events?conferenceDataVersion=1" in request.uri


def test_an_insert_with_conference_data_version_1_gets_a_meet_link(calendar):
    event = insert(calendar, event_body("abc123def456"))

    assert event["id"] == "abc123def456"
    assert event["status"] == "confirmed"
    assert event["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    conference = event["conferenceData"]
    assert conference["createRequest"]["status"]["statusCode"] == "success"
    assert conference["createRequest"]["requestId"] == "req-1"
    video = next(e for e in conference["entryPoints"] if e["entryPointType"] == "video")
    phone = next(e for e in conference["entryPoints"] if e["entryPointType"] == "phone")
    assert video["uri"] == event["hangoutLink"]
    assert phone["uri"].startswith("tel:")
    code = video["uri"].removeprefix("https://meet.google.com/")
    assert [len(part) for part in code.split("-")] == [3, 4, 3]
    assert code.replace("-", "").isalpha() and code.islower()
    assert conference["conferenceId"] == code


def test_without_conference_data_version_the_conference_request_is_silently_ignored(calendar):
    event = calendar.events().insert(calendarId="primary", body=event_body("noconference1")).execute()

    assert "conferenceData" not in event
    assert "hangoutLink" not in event


def test_inserting_an_existing_id_answers_409_with_googles_exact_body(calendar):
    insert(calendar, event_body("dup000001"))

    with pytest.raises(HttpError) as raised:
        insert(calendar, event_body("dup000001"))

    assert raised.value.resp.status == 409
    assert error_of(raised) == DUPLICATE


@pytest.mark.parametrize("bad_id", ["abc", "has-dash-1", "UPPERCASE1", "wxyz12345"])
def test_a_client_chosen_id_outside_base32hex_is_refused(calendar, bad_id):
    with pytest.raises(HttpError) as raised:
        insert(calendar, event_body(bad_id))

    assert raised.value.resp.status == 400
    assert error_of(raised)["error"]["message"] == "Invalid resource id value."


def test_an_event_without_an_id_gets_a_base32hex_one(calendar):
    event = insert(calendar, event_body())

    assert set(event["id"]) <= set("0123456789abcdefghijklmnopqrstuv")


def test_a_pending_conference_stays_pending_for_the_scripted_reads(calendar):
    faults.inject(Service.GOOGLE, "events.insert", "pending", pending_reads=2)

    created = insert(calendar, event_body("pending001"))
    reads = [calendar.events().get(calendarId="primary", eventId="pending001").execute() for _ in range(3)]

    assert created["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"
    assert "entryPoints" not in created and "hangoutLink" not in created
    assert [r["conferenceData"]["createRequest"]["status"]["statusCode"] for r in reads] == [
        "pending",
        "pending",
        "success",
    ]
    assert reads[2]["hangoutLink"].startswith("https://meet.google.com/")


def test_a_patch_moves_the_event_and_keeps_the_meet_link(calendar):
    event = insert(calendar, event_body("patch0001"))
    later = START + timedelta(days=1)

    patched = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId="patch0001",
            body={
                "start": {"dateTime": later.isoformat()},
                "end": {"dateTime": (later + timedelta(hours=1)).isoformat()},
            },
            conferenceDataVersion=1,
        )
        .execute()
    )

    assert patched["start"] == {"dateTime": later.isoformat(), "timeZone": "Africa/Nairobi"}
    assert patched["summary"] == "Online consultation"
    assert patched["hangoutLink"] == event["hangoutLink"]
    assert patched["sequence"] == 1
    stored = GoogleEvent.objects.get(event_id="patch0001")
    assert stored.starts_at == later


def test_delete_answers_204_then_410_and_an_unknown_event_404(calendar):
    insert(calendar, event_body("delete001"))

    assert calendar.events().delete(calendarId="primary", eventId="delete001").execute() == ""
    with pytest.raises(HttpError) as again:
        calendar.events().delete(calendarId="primary", eventId="delete001").execute()
    with pytest.raises(HttpError) as unknown:
        calendar.events().delete(calendarId="primary", eventId="neverexisted").execute()

    assert again.value.resp.status == 410
    assert error_of(again)["error"]["errors"][0]["reason"] == "deleted"
    assert unknown.value.resp.status == 404
    assert error_of(unknown)["error"]["errors"][0]["reason"] == "notFound"


def test_the_deleted_event_reads_as_cancelled(calendar):
    insert(calendar, event_body("cancel001"))
    calendar.events().delete(calendarId="primary", eventId="cancel001").execute()

    assert calendar.events().get(calendarId="primary", eventId="cancel001").execute()["status"] == "cancelled"


def test_events_belong_to_the_account_the_token_belongs_to(sandbox, calendar):
    insert(calendar, event_body("private01"))
    other = calendar_for(sandbox, world.issue_tokens(Service.GOOGLE, "dr.otieno@gmail.test"))

    with pytest.raises(HttpError) as raised:
        other.events().get(calendarId="primary", eventId="private01").execute()

    assert raised.value.resp.status == 404


def test_another_calendar_id_is_not_found(calendar):
    with pytest.raises(HttpError) as raised:
        calendar.events().insert(calendarId="someone@gmail.test", body=event_body()).execute()

    assert raised.value.resp.status == 404


def test_an_end_before_the_start_is_an_empty_time_range(calendar):
    body = event_body(minutes=-30)

    with pytest.raises(HttpError) as raised:
        insert(calendar, body)

    assert error_of(raised)["error"]["errors"][0]["reason"] == "timeRangeEmpty"


def test_a_calendar_that_cannot_host_this_conference_type_says_so(calendar):
    body = event_body()
    body["conferenceData"]["createRequest"]["conferenceSolutionKey"]["type"] = "addOn"

    with pytest.raises(HttpError) as raised:
        insert(calendar, body)

    assert error_of(raised)["error"]["message"] == "Invalid conference type value."


def test_guests_are_mailed_only_when_send_updates_asks(calendar):
    guests = [{"email": "patient@example.test"}, {"email": "friend@gmail.test"}]
    insert(calendar, event_body("quiet0001", attendees=guests), sendUpdates="none")
    insert(calendar, event_body("loud00001", attendees=guests), sendUpdates="all")
    insert(calendar, event_body("outside01", attendees=guests), sendUpdates="externalOnly")

    assert GoogleEvent.objects.get(event_id="quiet0001").mails == []
    assert [m["email"] for m in GoogleEvent.objects.get(event_id="loud00001").mails] == [
        "patient@example.test",
        "friend@gmail.test",
    ]
    assert [m["email"] for m in GoogleEvent.objects.get(event_id="outside01").mails] == ["patient@example.test"]


def test_free_busy_reports_events_and_busy_blocks_merged_within_the_range(calendar):
    insert(calendar, event_body("slot00001", start=START, minutes=60))
    insert(calendar, event_body("slot00002", start=START + timedelta(minutes=30), minutes=60))
    insert(calendar, event_body("open00001", start=START + timedelta(hours=3), transparency="transparent"))
    world.add_busy_block(EMAIL, START + timedelta(hours=5), START + timedelta(hours=6), "School run")
    world.add_busy_block("dr.otieno@gmail.test", START, START + timedelta(hours=8))

    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": (START - timedelta(hours=1)).isoformat(),
                "timeMax": (START + timedelta(hours=5, minutes=30)).isoformat(),
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )

    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2030-03-04T09:00:00Z", "end": "2030-03-04T10:30:00Z"},
        {"start": "2030-03-04T14:00:00Z", "end": "2030-03-04T14:30:00Z"},
    ]


def test_free_busy_needs_a_scope_that_allows_it(sandbox):
    tokens = world.issue_tokens(Service.GOOGLE, EMAIL, scope="openid https://www.googleapis.com/auth/calendar.events")

    with pytest.raises(HttpError) as raised:
        calendar_for(sandbox, tokens).freebusy().query(
            body={"timeMin": START.isoformat(), "timeMax": (START + timedelta(hours=1)).isoformat(), "items": []}
        ).execute()

    assert raised.value.resp.status == 403
    assert error_of(raised)["error"]["errors"][0]["reason"] == "insufficientPermissions"


def test_a_bad_token_answers_401_auth_error(sandbox, http):
    answer = http.get(
        f"{sandbox}/google/calendar/v3/calendars/primary/events/whatever1",
        headers={"Authorization": "Bearer ya29.not-a-real-token"},
    )

    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == 401
    assert error["errors"][0]["reason"] == "authError"
    assert error["errors"][0]["message"] == "Invalid Credentials"


def test_an_expired_token_is_refreshed_by_google_auth_at_the_emulated_token_uri(sandbox, tokens, calendar):
    faults.expire_access_tokens(Service.GOOGLE)

    event = insert(calendar, event_body("afterrefresh1"))

    assert event["id"] == "afterrefresh1"
    assert calendar._http.credentials.token != tokens.access_token


def test_a_revoked_grant_makes_google_auth_raise_refresh_error(sandbox, calendar):
    from google.auth.exceptions import RefreshError

    faults.revoke_grants(Service.GOOGLE)

    with pytest.raises(RefreshError) as raised:
        insert(calendar, event_body())

    assert "invalid_grant" in str(raised.value)
