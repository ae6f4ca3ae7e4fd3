"""Celery tasks: the fast path after commit, and the beat passes that make sure nothing is lost."""

import logging

from celery import shared_task

from .delivery import message_deliver, message_send, messages_claim_due, messages_release_stale
from .reminders import reminders_plan, urgent_link_alerts

logger = logging.getLogger(__name__)


def _schedule_retry(message_id: int, delay: float | None) -> None:
    if delay is not None:
        # The row is queued with next_attempt_at; this is only the fast path (the beat pass is the safety net).
        send_message.apply_async((message_id,), countdown=delay)


@shared_task
def send_message(message_id: int) -> None:
    _schedule_retry(message_id, message_send(message_id=message_id))


@shared_task
def send_due_messages() -> int:
    """Send what is still queued and due: lost publishes, a dead worker, a broker outage, retries."""
    messages_release_stale()
    sent = 0
    while ids := messages_claim_due():
        for message_id in ids:
            _schedule_retry(message_id, message_deliver(message_id=message_id))
            sent += 1
    return sent


@shared_task
def plan_reminders() -> int:
    created = reminders_plan()
    urgent_link_alerts()
    if created:
        send_due_messages.delay()
    return created
