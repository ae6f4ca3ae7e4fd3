"""Celery tasks: the fast path to work already recorded on meeting rows, and the beat passes.

A task only carries an id; what is owed lives on the row (`next_attempt_at`),
so a lost publish, a lost message or a dead worker delays work by one pass and
loses none. Tasks never retry through the broker: a retry is scheduled on the
row and run by `run_due_meetings`.
"""

import logging

from celery import shared_task
from django.conf import settings

from .services import (
    meeting_cancel_for_booking,
    meeting_ensure_for_booking,
    meeting_process,
    meeting_retire,
    meeting_update_for_reschedule,
    meetings_run_due,
)
from .sweeper import meetings_sweep

logger = logging.getLogger(__name__)

ACTOR = "worker"


def queue_meeting_work(meeting_id: int) -> None:
    """Publish the fast path for a row whose work is already recorded; a broker that is down only delays it."""
    try:
        process_meeting.apply_async((meeting_id,), retry=False)
    except Exception as exc:  # the broker's own connection errors vary by transport
        logger.warning("Meeting %s waits for the next pass: the task could not be queued (%s).", meeting_id, exc)


@shared_task
def process_meeting(meeting_id: int) -> None:
    meeting_process(meeting_id=meeting_id, actor=ACTOR)


@shared_task
def create_meeting(booking_id: int) -> None:
    meeting = meeting_ensure_for_booking(booking_id=booking_id)
    if meeting is not None:
        meeting_process(meeting_id=meeting.pk, actor=ACTOR)


@shared_task
def update_meeting(booking_id: int) -> None:
    meeting_update_for_reschedule(booking_id=booking_id, actor=ACTOR)


@shared_task
def cancel_meeting(booking_id: int) -> None:
    meeting_cancel_for_booking(booking_id=booking_id, actor=ACTOR)


@shared_task
def retire_meeting(meeting_id: int) -> None:
    meeting_retire(meeting_id=meeting_id, actor=ACTOR)


@shared_task(ignore_result=True)
def run_due_meetings() -> int:
    """Beat, every MEETINGS_DUE_PASS_SECONDS: due retries, moves, deletions and abandoned leases."""
    # Stop taking new rows before the next pass starts, so passes rarely overlap.
    return meetings_run_due(budget_seconds=max(settings.MEETINGS_DUE_PASS_SECONDS * 0.8, 1.0))


@shared_task(ignore_result=True)
def sweep_missing_meetings() -> dict[str, int]:
    report = meetings_sweep()
    return {
        "created": len(report.to_create),
        "updated": len(report.to_update),
        "retired": len(report.to_retire),
        "urgent": len(report.urgent),
    }
