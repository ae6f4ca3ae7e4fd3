"""Microsoft: identity platform OAuth and Graph events and online meetings, over real HTTP."""

from urllib.parse import urlencode

import pytest

from sandbox import faults, world
from sandbox.models import Service
from sandbox.testing import answer_consent, pkce_pair, query_of

REDIRECT = "http://clinic.test/integrations/microsoft/callback"
SCOPE = "openid offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite"
CLIENT = {"client_id": "ms-client", "client_secret": "ms-secret"}
EVENT = {
    "subject": "Online consultation",
    "body": {"contentType": "HTML", "content": "Your appointment"},
    "start": {"dateTime": "2030-03-04T12:00:00", "timeZone": "Africa/Nairobi"},
    "end": {"dateTime": "2030-03-04T12:30:00", "timeZone": "Africa/Nairobi"},
    "isOnlineMeeting": True,
    "onlineMeetingProvider": "teamsForBusiness",
    "transactionId": "clinicpro-meeting-42",
}


def graph(http, sandbox, method, path, token, **kwargs):
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return http.request(method, f"{sandbox}/microsoft/graph/v1.0{path}", headers=headers, **kwargs)


@pytest.fixture
def token(sandbox):
    return world.issue_tokens(Service.MICROSOFT).access_token


def connect(http, sandbox, scope=SCOPE, tenant="common"):
    verifier, challenge = pkce_pair()
    url = f"{sandbox}/microsoft/{tenant}/oauth2/v2.0/authorize?" + urlencode(
        {
            "client_id": CLIENT["client_id"],
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "response_mode": "query",
            "scope": scope,
            "state": "m-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    code = query_of(answer_consent(url, session=http))["code"]
    return http.post(
        f"{sandbox}/microsoft/{tenant}/oauth2/v2.0/token",
        data={
            **CLIENT,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "scope": scope,
        },
    )


def refresh(http, sandbox, refresh_token):
    return http.post(
        f"{sandbox}/microsoft/common/oauth2/v2.0/token",
        data={**CLIENT, "grant_type": "refresh_token", "refresh_token": refresh_token, "scope": SCOPE},
    )


def test_the_code_exchange_answers_tokens_with_a_refresh_token_for_offline_access(sandbox, http):
    answer = connect(http, sandbox)

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]
    assert body["scope"] == "User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite"
    me = graph(http, sandbox, "GET", "/me", body["access_token"]).json()
    assert me["mail"] == me["userPrincipalName"] == "dr.amina@uhuruhealth.onmicrosoft.test"


def test_without_offline_access_there_is_no_refresh_token(sandbox, http):
    body = connect(http, sandbox, scope="User.Read Calendars.ReadWrite").json()

    assert "refresh_token" not in body


def test_denying_consent_returns_aadsts65004(sandbox, http):
    url = f"{sandbox}/microsoft/common/oauth2/v2.0/authorize?" + urlencode(
        {"client_id": "ms-client", "response_type": "code", "redirect_uri": REDIRECT, "scope": SCOPE, "state": "s"}
    )

    params = query_of(answer_consent(url, decision="deny", session=http))

    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS65004")
    assert params["state"] == "s"


def test_the_refresh_token_rotates(sandbox, http):
    tokens = connect(http, sandbox).json()

    first = refresh(http, sandbox, tokens["refresh_token"])
    reused = refresh(http, sandbox, tokens["refresh_token"])

    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_a_revoked_grant_is_invalid_grant_aadsts50173(sandbox, http):
    tokens = connect(http, sandbox).json()
    faults.revoke_grants(Service.MICROSOFT)

    answer = refresh(http, sandbox, tokens["refresh_token"])

    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_grant"
    assert body["error_codes"] == [50173]
    assert body["error_description"].startswith("AADSTS50173: The provided grant has expired due to it being revoked")


def test_a_scripted_invalid_grant_is_aadsts700082(sandbox, http):
    tokens = connect(http, sandbox).json()
    faults.inject(Service.MICROSOFT, "token", "invalid_grant")

    answer = refresh(http, sandbox, tokens["refresh_token"])

    assert answer.status_code == 400
    assert answer.json()["error_codes"] == [700082]
    assert answer.json()["error_description"].startswith(
        "AADSTS700082: The refresh token has expired due to inactivity."
    )
    assert refresh(http, sandbox, tokens["refresh_token"]).status_code == 200


def test_a_wrong_client_secret_is_invalid_client(sandbox, http):
    assert connect(http, sandbox).status_code == 200

    answer = http.post(
        f"{sandbox}/microsoft/common/oauth2/v2.0/token",
        data={"client_id": "ms-client", "client_secret": "nope", "grant_type": "refresh_token", "refresh_token": "x"},
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.json()["error_codes"] == [7000215]


def test_creating_an_online_event_answers_201_with_a_teams_join_url(sandbox, http, token):
    answer = graph(http, sandbox, "POST", "/me/events", token, json=EVENT)

    assert answer.status_code == 201
    event = answer.json()
    assert event["id"].startswith("AAMk")
    assert event["isOnlineMeeting"] is True
    assert event["onlineMeetingProvider"] == "teamsForBusiness"
    assert event["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert event["transactionId"] == "clinicpro-meeting-42"
    assert event["start"] == {"dateTime": "2030-03-04T09:00:00.0000000", "timeZone": "UTC"}
    assert event["originalStartTimeZone"] == "Africa/Nairobi"


def test_a_prefer_header_shows_times_in_that_zone(sandbox, http, token):
    event = graph(
        http, sandbox, "POST", "/me/events", token, json=EVENT, headers={"Prefer": 'outlook.timezone="Africa/Nairobi"'}
    ).json()

    assert event["start"] == {"dateTime": "2030-03-04T12:00:00.0000000", "timeZone": "Africa/Nairobi"}


def test_an_event_without_is_online_meeting_has_no_join_url(sandbox, http, token):
    body = {key: value for key, value in EVENT.items() if key not in ("isOnlineMeeting", "transactionId")}

    event = graph(http, sandbox, "POST", "/me/events", token, json=body).json()

    assert event["onlineMeeting"] is None


def test_a_retried_post_with_the_same_transaction_id_returns_the_same_event(sandbox, http, token):
    first = graph(http, sandbox, "POST", "/me/events", token, json=EVENT).json()

    second = graph(http, sandbox, "POST", "/me/events", token, json=EVENT).json()

    assert second["id"] == first["id"]
    assert second["onlineMeeting"]["joinUrl"] == first["onlineMeeting"]["joinUrl"]


def test_a_lost_response_then_a_retry_yields_one_event(sandbox, http, token):
    faults.inject(Service.MICROSOFT, "events.create", "lost_response")

    lost = graph(http, sandbox, "POST", "/me/events", token, json=EVENT)
    retried = graph(http, sandbox, "POST", "/me/events", token, json=EVENT)

    assert lost.status_code == 502
    assert retried.status_code == 201
    assert world.account(Service.MICROSOFT).graph_events.count() == 1


def test_patch_answers_200_with_the_moved_event_and_the_same_join_url(sandbox, http, token):
    event = graph(http, sandbox, "POST", "/me/events", token, json=EVENT).json()

    answer = graph(
        http,
        sandbox,
        "PATCH",
        f"/me/events/{event['id']}",
        token,
        json={
            "start": {"dateTime": "2030-03-05T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-03-05T10:45:00", "timeZone": "UTC"},
        },
    )

    assert answer.status_code == 200
    assert answer.json()["start"]["dateTime"] == "2030-03-05T10:00:00.0000000"
    assert answer.json()["onlineMeeting"]["joinUrl"] == event["onlineMeeting"]["joinUrl"]
    assert answer.json()["subject"] == "Online consultation"


def test_delete_answers_204_then_item_not_found(sandbox, http, token):
    event = graph(http, sandbox, "POST", "/me/events", token, json=EVENT).json()

    deleted = graph(http, sandbox, "DELETE", f"/me/events/{event['id']}", token)
    again = graph(http, sandbox, "DELETE", f"/me/events/{event['id']}", token)

    assert deleted.status_code == 204
    assert again.status_code == 404
    error = again.json()["error"]
    assert error["code"] == "ErrorItemNotFound"
    assert error["message"] == "The specified object was not found in the store."


def test_a_malformed_event_id_is_refused(sandbox, http, token):
    answer = graph(http, sandbox, "DELETE", "/me/events/not-an-id", token)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "ErrorInvalidIdMalformed"


def test_an_unsupported_time_zone_is_refused_as_graph_does(sandbox, http, token):
    body = {**EVENT, "start": {"dateTime": "2030-03-04T12:00:00", "timeZone": "Mars/Olympus"}}

    answer = graph(http, sandbox, "POST", "/me/events", token, json=body)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "TimeZoneNotSupportedException"


def test_create_or_get_returns_the_same_meeting_for_an_external_id(sandbox, http, token):
    body = {
        "externalId": "clinicpro-meeting-42",
        "startDateTime": "2030-03-04T09:00:00Z",
        "endDateTime": "2030-03-04T09:30:00Z",
        "subject": "Online consultation",
    }

    first = graph(http, sandbox, "POST", "/me/onlineMeetings/createOrGet", token, json=body)
    second = graph(http, sandbox, "POST", "/me/onlineMeetings/createOrGet", token, json=body)
    other = graph(http, sandbox, "POST", "/me/onlineMeetings/createOrGet", token, json={**body, "externalId": "x-2"})

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert first.json()["joinWebUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert other.json()["joinWebUrl"] != first.json()["joinWebUrl"]


@pytest.mark.parametrize(
    ("token_value", "message"),
    [("", "Access token is empty."), ("eyJ-bogus", "CompactToken parsing failed with error code: 80049217")],
)
def test_a_missing_or_bad_token_is_invalid_authentication_token(sandbox, http, token_value, message):
    answer = graph(http, sandbox, "GET", "/me", token_value)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert answer.json()["error"]["message"] == message


def test_an_expired_token_is_invalid_authentication_token(sandbox, http, token):
    faults.expire_access_tokens(Service.MICROSOFT)

    answer = graph(http, sandbox, "POST", "/me/events", token, json=EVENT)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert answer.json()["error"]["message"] == "Lifetime validation failed, the token is expired."


def test_throttling_answers_429_with_retry_after_seconds(sandbox, http, token):
    faults.inject(Service.MICROSOFT, "events.create", "429", retry_after=7)

    throttled = graph(http, sandbox, "POST", "/me/events", token, json=EVENT)

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert graph(http, sandbox, "POST", "/me/events", token, json=EVENT).status_code == 201
