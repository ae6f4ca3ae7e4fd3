"""The Celery application, configured from Django settings (CELERY_* names)."""

import logging
import os
import time
from collections.abc import Callable
from typing import Protocol

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicpro.settings")

app = Celery("clinicpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _meeting_passes(sender: Celery, **kwargs: object) -> None:
    """Meetings' due pass: retries, moves and deletions scheduled on the rows, and abandoned leases."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.MEETINGS_DUE_PASS_SECONDS, sender.signature("meetings.tasks.run_due_meetings"), name="run-due-meetings"
    )


WORKER_ALIVE_KEY = "clinicpro:worker-alive"
WORKER_ALIVE_SECONDS = 10.0


class _RepeatingTimer(Protocol):
    def call_repeatedly(self, secs: float, fun: Callable[[], None]) -> object: ...


class _Worker(Protocol):
    """What the step uses of Celery's worker (a WorkController; its stubs declare neither attribute as it is)."""

    hostname: str
    timer: _RepeatingTimer


class WorkerAlive(bootsteps.StartStopStep):
    """Each worker writes the time every few seconds, so /healthz can tell a missing worker from a missing beat."""

    def start(self, worker: _Worker) -> None:
        from django.core.cache import cache

        def beat() -> None:
            try:
                cache.set(WORKER_ALIVE_KEY, {"at": time.time(), "hostname": worker.hostname}, timeout=None)
            except Exception:  # the cache being down must not stop the worker; /healthz reports the cache itself
                logging.getLogger(__name__).warning("Could not write the worker heartbeat.", exc_info=True)

        beat()
        worker.timer.call_repeatedly(WORKER_ALIVE_SECONDS, beat)


app.steps["worker"].add(WorkerAlive)
