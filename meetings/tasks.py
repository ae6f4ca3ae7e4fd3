"""Celery tasks: each takes ids, calls one service, and retries transient failures with backoff.

Backoff is exponential with full jitter (a random wait between 0 and
base * 2**retries, at most the cap), and never shorter than the vendor's
Retry-After. Tasks are acknowledged late (settings), so a worker lost mid-task
means redelivery; the services' claims make that harmless.
"""

import logging
import random

from celery import Task, shared_task
from django.conf import settings

from .services import (
    RetryLater,
    max_attempts,
    meeting_cancel_for_booking,
    meeting_create,
    meeting_ensure_for_booking,
    meeting_retire,
    meeting_update_for_reschedule,
)
from .sweeper import meetings_sweep

logger = logging.getLogger(__name__)

ACTOR = "worker"
RETRY_CEILING_FACTOR = 3


def backoff_seconds(retries: int, retry_after: float | None = None) -> float:
    ceiling = min(settings.MEETINGS_RETRY_CAP_SECONDS, settings.MEETINGS_RETRY_BASE_SECONDS * 2**retries)
    delay = random.uniform(0, ceiling)
    return max(delay, retry_after) if retry_after else delay


def _is_last_attempt(task: Task) -> bool:
    return task.request.retries + 1 >= max_attempts()


def _retry(task: Task, exc: RetryLater) -> Exception:
    """Ask Celery to run the task again after the backoff.

    The services stop asking on the last attempt; the ceiling only guards against
    waiting forever on a claim that never clears, which the sweeper repairs.
    """
    countdown = backoff_seconds(task.request.retries, exc.retry_after)
    logger.info("%s will retry in %.1fs: %s", task.name, countdown, exc)
    return task.retry(countdown=countdown, exc=exc, max_retries=max_attempts() * RETRY_CEILING_FACTOR)


@shared_task(bind=True)
def create_meeting(self: Task, booking_id: int) -> None:
    meeting = meeting_ensure_for_booking(booking_id=booking_id)
    if meeting is None:
        return
    try:
        meeting_create(meeting_id=meeting.pk, is_last_attempt=_is_last_attempt(self), actor=ACTOR)
    except RetryLater as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True)
def update_meeting(self: Task, booking_id: int) -> None:
    try:
        meeting_update_for_reschedule(booking_id=booking_id, is_last_attempt=_is_last_attempt(self), actor=ACTOR)
    except RetryLater as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True)
def cancel_meeting(self: Task, booking_id: int) -> None:
    try:
        meeting_cancel_for_booking(booking_id=booking_id, is_last_attempt=_is_last_attempt(self), actor=ACTOR)
    except RetryLater as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True)
def retire_meeting(self: Task, meeting_id: int) -> None:
    try:
        meeting_retire(meeting_id=meeting_id, is_last_attempt=_is_last_attempt(self), actor=ACTOR)
    except RetryLater as exc:
        raise _retry(self, exc) from exc


@shared_task
def sweep_missing_meetings() -> dict[str, int]:
    report = meetings_sweep()
    for booking_id in report.to_create:
        create_meeting.delay(booking_id)
    for booking_id in report.to_update:
        update_meeting.delay(booking_id)
    for meeting_id in report.to_retire:
        retire_meeting.delay(meeting_id)
    return {
        "created": len(report.to_create),
        "updated": len(report.to_update),
        "retired": len(report.to_retire),
        "released_claims": report.released_claims,
        "urgent": len(report.urgent),
    }
