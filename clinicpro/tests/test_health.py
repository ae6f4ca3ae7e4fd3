"""/healthz: database, cache, broker and worker heartbeat, answered 200 or 503."""

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from django.conf import settings as django_settings

from clinicpro.celery import WORKER_ALIVE_KEY, app
from clinicpro.http import http_session
from clinicpro.tasks import record_worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_expected():
    """Tasks go to a broker (as in production with REDIS_URL), so a worker heartbeat is required."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_healthz_reports_each_part_and_inline_tasks_need_no_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "broker": "inline",
        "worker": {"last_heartbeat": None, "age_seconds": None, "status": "inline"},
        "beat": {"last_heartbeat": None, "age_seconds": None, "status": "inline"},
        "missing": [],
        "status": "ok",
    }


@pytest.mark.django_db
def test_a_missing_heartbeat_is_a_failure_when_a_worker_is_expected(client, worker_expected):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "ok"
    assert response.json()["worker"]["status"] == "missing"
    assert response.json()["missing"] == ["worker"]


def worker_alive() -> None:
    """What a running worker's bootstep writes every few seconds."""
    from django.core.cache import cache

    cache.set(WORKER_ALIVE_KEY, {"at": time.time(), "hostname": "test@host"}, timeout=None)


@pytest.mark.django_db
def test_a_live_worker_without_beat_names_beat_as_missing(client, worker_expected):
    worker_alive()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "ok"
    assert response.json()["beat"]["status"] == "missing"
    assert response.json()["missing"] == ["beat"]


@pytest.mark.django_db
def test_a_fresh_heartbeat_is_healthy(client, worker_expected):
    worker_alive()
    record_worker_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"
    assert response.json()["worker"]["age_seconds"] < django_settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS


@pytest.mark.django_db
def test_a_stale_heartbeat_is_reported_and_fails_the_check(client, worker_expected):
    worker_alive()
    record_worker_heartbeat()
    later = timedelta(seconds=django_settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    worker = response.json()["worker"]
    assert worker["status"] == "stale"
    assert worker["age_seconds"] > django_settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    assert worker["last_heartbeat"] is not None


@pytest.mark.django_db
def test_a_stale_heartbeat_is_still_shown_when_tasks_run_inline(client):
    record_worker_heartbeat()
    with time_machine.travel(timedelta(hours=1), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"]["status"] == "inline"
    assert response.json()["beat"]["age_seconds"] >= 3600


# --- The real application in another process, with a service unreachable ------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_get_healthz(**env_overrides: str) -> requests.Response:
    """Run the app under gunicorn with the given environment and GET /healthz over HTTP."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "clinicpro.test_settings"),
        **env_overrides,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinicpro.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        session = http_session(timeout=15)
        deadline = time.monotonic() + 30
        while True:
            try:
                return session.get(f"http://127.0.0.1:{port}/healthz")
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not serve: {server.communicate()[0].decode()}") from None
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_healthz_turns_503_when_the_database_is_unreachable():
    closed = free_port()
    response = serve_and_get_healthz(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/clinicpro")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["cache"] == "ok"


def test_healthz_turns_503_when_redis_is_unreachable():
    closed = free_port()
    response = serve_and_get_healthz(REDIS_URL=f"redis://127.0.0.1:{closed}/0", CELERY_TASK_ALWAYS_EAGER="0")
    assert response.status_code == 503
    body = response.json()
    assert (body["cache"], body["broker"]) == ("error", "error")


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_200_from_the_real_server_when_all_is_up():
    db = django_settings.DATABASES["default"]
    response = serve_and_get_healthz(DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
