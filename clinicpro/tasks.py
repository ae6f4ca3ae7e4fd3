"""Celery tasks of the foundation: the worker heartbeat, a ping, invitation email."""

import time
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache

HEARTBEAT_KEY = "clinicpro:worker-heartbeat"
PING_KEY = "clinicpro:ping:{nonce}"


def write_heartbeat(hostname: str) -> None:
    cache.set(HEARTBEAT_KEY, {"at": time.time(), "hostname": hostname}, timeout=None)


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Run by beat every 30 s; /healthz reads the timestamp to tell whether workers are consuming."""
    write_heartbeat(record_worker_heartbeat.request.hostname or "inline")


@shared_task(ignore_result=True)
def ping(nonce: str) -> None:
    """Answer through the cache, so a caller without a result backend sees the round trip."""
    cache.set(PING_KEY.format(nonce=nonce), ping.request.hostname or "inline", timeout=300)


@worker_ready.connect
def _heartbeat_on_start(sender: Any = None, **kwargs: Any) -> None:
    # A freshly started worker is healthy before beat's first tick.
    write_heartbeat(getattr(sender, "hostname", "worker"))


@shared_task(bind=True, ignore_result=True, max_retries=5, default_retry_delay=60)
def send_invitation_email(self: Any, invitation_id: int) -> None:
    from .services import invitation_send_email

    try:
        invitation_send_email(invitation_id=invitation_id)
    except OSError as exc:  # SMTP and API backends raise OSError subclasses on transport failures
        raise self.retry(exc=exc) from exc
