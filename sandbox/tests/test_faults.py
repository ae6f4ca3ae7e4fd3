"""Fault scripts: every mode, as each vendor would answer it, and the helpers and endpoints that set them."""

import importlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
import requests
from django.urls import clear_url_caches

from sandbox import faults, world
from sandbox.models import Fault, GoogleEvent, Service, ZoomMeeting

ZOOM_MEETING = {"topic": "Consultation", "type": 2, "start_time": "2030-03-04T09:00:00Z", "duration": 30}
GOOGLE_EVENT = {
    "start": {"dateTime": "2030-03-04T09:00:00Z"},
    "end": {"dateTime": "2030-03-04T09:30:00Z"},
    "conferenceData": {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}},
}
GRAPH_EVENT = {
    "subject": "Consultation",
    "start": {"dateTime": "2030-03-04T09:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2030-03-04T09:30:00", "timeZone": "UTC"},
    "isOnlineMeeting": True,
}


def call(http, sandbox, service, **kwargs):
    """One create call to `service`'s meeting API, as its real client would make it."""
    token = world.issue_tokens(service).access_token
    headers = {"Authorization": f"Bearer {token}"}
    if service == Service.GOOGLE:
        url = f"{sandbox}/google/calendar/v3/calendars/primary/events?conferenceDataVersion=1"
        return http.post(url, json=GOOGLE_EVENT, headers=headers, **kwargs)
    if service == Service.ZOOM:
        return http.post(f"{sandbox}/zoom/v2/users/me/meetings", json=ZOOM_MEETING, headers=headers, **kwargs)
    return http.post(f"{sandbox}/microsoft/graph/v1.0/me/events", json=GRAPH_EVENT, headers=headers, **kwargs)


CREATE = {Service.GOOGLE: "events.insert", Service.ZOOM: "meetings.create", Service.MICROSOFT: "events.create"}


@pytest.mark.parametrize(
    ("service", "body"),
    [
        (
            Service.GOOGLE,
            {
                "error": {
                    "errors": [{"domain": "global", "reason": "backendError", "message": "Backend Error"}],
                    "code": 500,
                    "message": "Backend Error",
                }
            },
        ),
        (Service.ZOOM, {"code": 500, "message": "Internal server error."}),
    ],
)
def test_a_500_fault_answers_the_vendors_500_body(sandbox, http, service, body):
    faults.inject(service, CREATE[service], "500")

    answer = call(http, sandbox, service)

    assert answer.status_code == 500
    assert answer.json() == body


def test_a_graph_500_carries_graphs_error_envelope(sandbox, http):
    faults.inject(Service.MICROSOFT, "events.create", "500")

    answer = call(http, sandbox, Service.MICROSOFT)

    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "generalException"
    assert set(answer.json()["error"]["innerError"]) == {"date", "request-id", "client-request-id"}


@pytest.mark.parametrize(
    ("service", "check"),
    [
        (Service.GOOGLE, lambda body: body["error"]["errors"][0]["reason"] == "rateLimitExceeded"),
        (
            Service.ZOOM,
            lambda body: (
                body
                == {
                    "code": 429,
                    "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
                }
            ),
        ),
        (Service.MICROSOFT, lambda body: body["error"]["code"] == "TooManyRequests"),
    ],
)
def test_a_429_fault_answers_with_retry_after_seconds(sandbox, http, service, check):
    faults.inject(service, CREATE[service], "429", retry_after=3)

    answer = call(http, sandbox, service)

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert check(answer.json())


def test_a_429_fault_can_give_retry_after_as_an_http_date(sandbox, http):
    faults.inject(Service.ZOOM, "meetings.create", "429", retry_after=120, retry_after_as_date=True)

    answer = call(http, sandbox, Service.ZOOM)

    retry_at = parsedate_to_datetime(answer.headers["Retry-After"])
    assert retry_at > datetime.now(UTC)


@pytest.mark.parametrize(
    ("service", "check"),
    [
        (Service.GOOGLE, lambda body: body["error"]["errors"][0]["reason"] == "authError"),
        (Service.ZOOM, lambda body: body == {"code": 124, "message": "Invalid access token."}),
        (Service.MICROSOFT, lambda body: body["error"]["code"] == "InvalidAuthenticationToken"),
    ],
)
def test_a_401_fault_answers_the_vendors_invalid_token_body(sandbox, http, service, check):
    faults.inject(service, CREATE[service], "401")

    answer = call(http, sandbox, service)

    assert answer.status_code == 401
    assert check(answer.json())


def test_a_fault_answers_count_calls_then_the_endpoint_is_itself_again(sandbox, http):
    faults.inject(Service.ZOOM, "meetings.create", "500", count=2)

    statuses = [call(http, sandbox, Service.ZOOM).status_code for _ in range(3)]

    assert statuses == [500, 500, 201]
    assert faults.active_faults() == []


def test_faults_of_other_endpoints_are_left_alone(sandbox, http):
    faults.inject(Service.ZOOM, "meetings.delete", "500")

    assert call(http, sandbox, Service.ZOOM).status_code == 201
    assert Fault.objects.get().remaining == 1


def test_a_timeout_fault_acts_but_answers_after_the_client_gave_up(sandbox, http):
    faults.inject(Service.ZOOM, "meetings.create", "timeout", delay_seconds=3)

    with pytest.raises(requests.Timeout):
        call(http, sandbox, Service.ZOOM, timeout=0.5)

    assert ZoomMeeting.objects.filter(resource__topic="Consultation").count() == 1


def test_a_delay_without_count_stays_until_removed_and_answers_normally(sandbox, http):
    fault = faults.inject(Service.MICROSOFT, "events.create", "delay", count=None, delay_seconds=0.05)

    answers = [call(http, sandbox, Service.MICROSOFT) for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    fault.refresh_from_db()
    assert fault.hits == 3 and fault.remaining is None
    assert faults.remove(fault.pk)
    assert faults.active_faults() == []


def test_a_lost_zoom_response_leaves_a_meeting_the_client_can_find_before_recreating(sandbox, http):
    faults.inject(Service.ZOOM, "meetings.create", "lost_response")

    lost = call(http, sandbox, Service.ZOOM)
    token = world.issue_tokens(Service.ZOOM).access_token
    listed = http.get(f"{sandbox}/zoom/v2/users/me/meetings", headers={"Authorization": f"Bearer {token}"}).json()

    assert lost.status_code == 502
    assert [m["topic"] for m in listed["meetings"]] == ["Consultation"]


def test_a_lost_google_insert_makes_the_retry_a_409_duplicate(sandbox, http):
    faults.inject(Service.GOOGLE, "events.insert", "lost_response")
    body = {**GOOGLE_EVENT, "id": "lost0001"}
    token = world.issue_tokens(Service.GOOGLE).access_token
    url = f"{sandbox}/google/calendar/v3/calendars/primary/events?conferenceDataVersion=1"

    lost = http.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    retried = http.post(url, json=body, headers={"Authorization": f"Bearer {token}"})

    assert lost.status_code == 502
    assert retried.status_code == 409
    assert GoogleEvent.objects.filter(event_id="lost0001").count() == 1


@pytest.mark.parametrize(
    ("service", "path", "body"),
    [
        (
            Service.GOOGLE,
            "/google/token",
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
        ),
        (Service.ZOOM, "/zoom/oauth/token", {"reason": "Invalid Token!", "error": "invalid_grant"}),
    ],
)
def test_an_invalid_grant_fault_refuses_a_valid_refresh_token(sandbox, http, service, path, body):
    tokens = world.issue_tokens(service, client_id="c1")
    faults.inject(service, "token", "invalid_grant")

    answer = http.post(
        f"{sandbox}{path}",
        auth=("c1", "secret"),
        data={"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
    )

    assert answer.status_code == 400
    assert answer.json() == body


def test_the_token_endpoint_plays_500_and_429_too(sandbox, http):
    faults.inject(Service.GOOGLE, "token", "500")
    faults.inject(Service.GOOGLE, "token", "429", retry_after=2)
    data = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "c", "client_secret": "s"}

    first = http.post(f"{sandbox}/google/token", data=data)
    second = http.post(f"{sandbox}/google/token", data=data)

    assert first.status_code == 500
    assert second.status_code == 429 and second.headers["Retry-After"] == "2"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("zoom", "events.insert", "500"), {}),
        (("google", "events.insert", "teapot"), {}),
        (("zoom", "meetings.create", "pending"), {}),
        (("google", "events.get", "invalid_grant"), {}),
        (("google", "events.get", "timeout"), {}),
        (("google", "events.get", "500"), {"colour": "red"}),
    ],
)
def test_inject_refuses_what_no_endpoint_can_play(db, args, kwargs):
    with pytest.raises(ValueError):
        faults.inject(*args, **kwargs)


def test_the_faults_endpoint_adds_lists_and_clears_faults(sandbox, http):
    added = http.post(
        f"{sandbox}/faults/",
        json={"service": "zoom", "endpoint": "meetings.create", "mode": "429", "count": 2, "retry_after": 5},
    )
    listed = http.get(f"{sandbox}/faults/").json()
    refused = http.post(f"{sandbox}/faults/", json={"service": "zoom", "endpoint": "nope", "mode": "500"})
    cleared = http.delete(f"{sandbox}/faults/")

    assert added.status_code == 201
    assert added.json()["remaining"] == 2 and added.json()["retry_after"] == 5
    assert [f["id"] for f in listed["faults"]] == [added.json()["id"]]
    assert "meetings.create" in listed["endpoints"]["zoom"]
    assert refused.status_code == 400 and "nope" in refused.json()["error"]
    assert cleared.json() == {"cleared": 1}


def test_one_fault_can_be_removed_through_the_endpoint(sandbox, http):
    fault = faults.inject(Service.GOOGLE, "freebusy", "500")

    assert http.delete(f"{sandbox}/faults/{fault.pk}/").json() == {"removed": fault.pk}
    assert http.delete(f"{sandbox}/faults/{fault.pk}/").status_code == 404


def test_the_sandbox_is_not_mounted_when_disabled(settings):
    import clinicpro.urls

    settings.SANDBOX_ENABLED = False
    try:
        disabled = importlib.reload(clinicpro.urls)
        assert not [p for p in disabled.urlpatterns if str(p.pattern) == "sandbox/"]
    finally:
        settings.SANDBOX_ENABLED = True
        importlib.reload(clinicpro.urls)
        clear_url_caches()
    assert [p for p in clinicpro.urls.urlpatterns if str(p.pattern) == "sandbox/"]
