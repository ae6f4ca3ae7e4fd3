"""/healthz: the state of the database, the cache, the broker, the worker and beat.

Answers 200 when the database, cache and broker work and, where a worker is
expected (tasks are not run in-process), both processes are alive; 503 otherwise,
with `missing` naming the process to start ("worker", "beat").

Each worker writes its own heartbeat every few seconds (a bootstep); beat's
heartbeat task only runs when beat sends it and a worker runs it, so with a
live worker a stale task heartbeat means beat is missing.
"""

import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .celery import WORKER_ALIVE_KEY, app
from .tasks import HEARTBEAT_KEY

logger = logging.getLogger(__name__)
OK, ERROR, INLINE = "ok", "error", "inline"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception:
        logger.exception("healthz: database check failed")
        return ERROR


def _cache() -> str:
    key, value = f"clinicpro:healthz:{secrets.token_hex(4)}", secrets.token_hex(4)
    try:
        cache.set(key, value, timeout=10)
        healthy = cache.get(key) == value
        cache.delete(key)
        return OK if healthy else ERROR
    except Exception:
        logger.exception("healthz: cache check failed")
        return ERROR


def tasks_run_inline() -> bool:
    return bool(app.conf.task_always_eager)


def _broker() -> str:
    if tasks_run_inline():
        return INLINE
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
        return OK
    except Exception:
        logger.exception("healthz: broker check failed")
        return ERROR


def _age(key: str) -> tuple[str | None, float | None]:
    try:
        beat = cache.get(key)
    except Exception:
        beat = None
    if not beat:
        return None, None
    return datetime.fromtimestamp(beat["at"], tz=UTC).isoformat(), round(max(time.time() - beat["at"], 0.0), 1)


def process_status(key: str) -> dict[str, Any]:
    """Whether the process writing `key` did so recently: ok, stale, missing (or inline without a broker)."""
    last, age = _age(key)
    if tasks_run_inline():
        status = INLINE
    elif age is None:
        status = "missing"
    else:
        status = OK if age <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS else "stale"
    return {"last_heartbeat": last, "age_seconds": age, "status": status}


def worker_heartbeat() -> dict[str, Any]:
    """When a worker last ran the heartbeat task, and whether that is recent enough."""
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        beat = None
    last, age = None, None
    if beat:
        last = datetime.fromtimestamp(beat["at"], tz=UTC).isoformat()
        age = round(max(time.time() - beat["at"], 0.0), 1)
    if tasks_run_inline():
        status = INLINE
    elif age is None:
        status = "missing"
    else:
        status = OK if age <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS else "stale"
    return {"last_heartbeat": last, "age_seconds": age, "status": status}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report: dict[str, Any] = {
        "database": _database(),
        "cache": _cache(),
        "broker": _broker(),
        "worker": process_status(WORKER_ALIVE_KEY),
        "beat": worker_heartbeat(),
    }
    missing = [name for name in ("worker", "beat") if report[name]["status"] not in (OK, INLINE)]
    if "worker" in missing and report["beat"]["status"] not in (OK, INLINE):
        missing.remove("beat")  # with no worker, beat's heartbeat cannot run: say what to start first
    report["missing"] = missing
    healthy = report["database"] == OK and report["cache"] == OK and report["broker"] in (OK, INLINE) and not missing
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)
