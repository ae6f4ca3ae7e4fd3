"""Tasks through a real Celery worker on Redis and on RabbitMQ (started by the `celery_worker` fixture)."""

import secrets
import time

import pytest
from django.core.cache import cache

from clinicpro.tasks import HEARTBEAT_KEY, PING_KEY, ping, record_worker_heartbeat

pytestmark = pytest.mark.worker


def wait_for(read, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the worker did not answer in time")


def test_a_task_round_trips_through_a_real_worker(celery_worker):
    nonce = secrets.token_hex(8)
    ping.delay(nonce)
    answered_by = wait_for(lambda: cache.get(PING_KEY.format(nonce=nonce)))
    assert answered_by.startswith("test-")  # the worker's name, so not run in this process


def test_the_heartbeat_task_run_by_the_worker_makes_healthz_report_it(celery_worker, client):
    cache.delete(HEARTBEAT_KEY)
    record_worker_heartbeat.delay()
    beat = wait_for(lambda: cache.get(HEARTBEAT_KEY))
    assert beat["hostname"].startswith("test-")
    # The worker's own heartbeat (a bootstep) and the task's (sent by beat) are both fresh.
    report = wait_for(lambda: (response := client.get("/healthz")).status_code == 200 and response.json())
    assert (report["worker"]["status"], report["beat"]["status"], report["missing"]) == ("ok", "ok", [])
