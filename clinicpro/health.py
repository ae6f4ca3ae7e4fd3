"""/healthz: the state of the database, the cache, the broker and the worker heartbeat.

Answers 200 when the database, cache and broker work and, where a worker is
expected (tasks are not run in-process), its heartbeat is fresh; 503 otherwise.
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

from .celery import app
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
        "worker": worker_heartbeat(),
    }
    healthy = (
        report["database"] == OK
        and report["cache"] == OK
        and report["broker"] in (OK, INLINE)
        and report["worker"]["status"] in (OK, INLINE)
    )
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)
