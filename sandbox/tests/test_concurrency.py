"""The emulators hold under concurrent callers, as a web process and several workers would be."""

from concurrent.futures import ThreadPoolExecutor

import requests

from sandbox import faults, world
from sandbox.models import Service

MEETING = {"topic": "Consultation", "type": 2, "start_time": "2030-03-04T09:00:00Z", "duration": 30}


def test_a_fault_with_count_k_answers_exactly_k_of_many_concurrent_calls(sandbox):
    token = world.issue_tokens(Service.ZOOM).access_token
    faults.inject(Service.ZOOM, "meetings.create", "500", count=3)

    def create(_):
        return requests.post(
            f"{sandbox}/zoom/v2/users/me/meetings",
            json=MEETING,
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(8)))

    assert sorted(statuses) == [201] * 5 + [500] * 3


def test_two_concurrent_refreshes_of_one_rotating_token_succeed_once(sandbox):
    tokens = world.issue_tokens(Service.ZOOM, client_id="zoom-client")

    def refresh(_):
        return requests.post(
            f"{sandbox}/zoom/oauth/token",
            auth=("zoom-client", "zoom-secret"),
            data={"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
            timeout=20,
        ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(refresh, range(4)))

    assert sorted(statuses) == [200, 400, 400, 400]
