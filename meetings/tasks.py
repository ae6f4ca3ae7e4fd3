"""Celery tasks: the fast path to work already recorded on meeting rows, and the beat passes.

A task only carries an id; what is owed lives on the row (`next_attempt_at`),
so a lost publish, a lost message or a dead worker delays work by one pass and
loses none. Tasks never retry through the broker: a retry is scheduled on the
row and run by `run_due_meetings`.
"""

import logging

from celery import shared_task

from .services import (
    meeting_cancel_for_booking,
    meeting_ensure_for_booking,
    meeting_process,
    meeting_retire,
    meeting_update_for_reschedule,
    reserve_next_due,
)
from .sweeper import meetings_sweep

logger = logging.getLogger(__name__)

ACTOR = "worker"
# Work found by the due pass rather than queued for a booking change.
PASS_ACTOR = "system"


# Rows one due pass hands out at most; the next pass takes the rest.
DUE_BATCH = 500


def queue_meeting_work(meeting_id: int, *, actor: str = ACTOR) -> bool:
    """Publish the fast path for a row whose work is already recorded; a broker that is down only delays it."""
    try:
        process_meeting.apply_async((meeting_id, actor), retry=False)
    except Exception as exc:  # the broker's own connection errors vary by transport
        logger.warning("Meeting %s waits for the next pass: the task could not be queued (%s).", meeting_id, exc)
        return False
    return True


@shared_task
def process_meeting(meeting_id: int, actor: str = ACTOR) -> None:
    meeting_process(meeting_id=meeting_id, actor=actor)


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
    """Beat, every MEETINGS_DUE_PASS_SECONDS: due retries, moves, deletions and abandoned leases.

    Each due row is reserved (SKIP LOCKED) and handed to the workers as its own task, so a backlog
    after an outage is worked by every worker thread at once; with no broker, this pass works it itself.
    """
    handed_out = 0
    while handed_out < DUE_BATCH:
        meeting_id = reserve_next_due()
        if meeting_id is None:
            break
        if not queue_meeting_work(meeting_id, actor=PASS_ACTOR):
            meeting_process(meeting_id=meeting_id, actor=PASS_ACTOR)
        handed_out += 1
    return handed_out


@shared_task(ignore_result=True)
def sweep_missing_meetings() -> dict[str, int]:
    report = meetings_sweep()
    return {
        "created": len(report.to_create),
        "updated": len(report.to_update),
        "retired": len(report.to_retire),
        "urgent": len(report.urgent),
    }
