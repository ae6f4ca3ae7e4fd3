"""Celery tasks: the fast path after a callback is stored, and the beat passes that make sure nothing waits forever."""

import logging

from celery import shared_task

from . import processing, reconciliation

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def process_callback(callback_id: int) -> str:
    return processing.callback_process(callback_id)


@shared_task
def process_pending_callbacks() -> int:
    """Beat: callbacks whose task was lost (broker or worker down), waiting to retry, or stuck in a dead worker."""
    ids = processing.claim_due_callbacks()
    for callback_id in ids:
        processing.callback_process(callback_id, claimed=True)
    return len(ids)


@shared_task
def reconcile_attempts() -> int:
    ids = reconciliation.claim_stale_attempts()
    for attempt_id in ids:
        try:
            reconciliation.attempt_reconcile(attempt_id)
        except Exception:
            logger.exception("Reconciling STK attempt %s failed", attempt_id)
    return len(ids)


@shared_task(acks_late=True)
def reconcile_attempt(attempt_id: int) -> str:
    return reconciliation.attempt_reconcile(attempt_id)
