"""Celery tasks of outgoing webhooks. Rows are the truth; tasks only make them go sooner."""

from celery import current_app, shared_task

from .webhooks import delivery

# Retries this soon are queued with a countdown; later ones wait for the beat pass.
COUNTDOWN_LIMIT_SECONDS = 60


def _follow_up(delivery_id: int, delay: float | None) -> None:
    # In-process tasks would ignore the countdown and retry at once: leave those to the beat pass.
    if delay is not None and delay <= COUNTDOWN_LIMIT_SECONDS and not current_app.conf.task_always_eager:
        deliver_webhook.apply_async((delivery_id,), countdown=delay)


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    _follow_up(delivery_id, delivery.deliver(delivery_id))


@shared_task(acks_late=True, ignore_result=True)
def deliver_claimed_webhook(delivery_id: int) -> None:
    _follow_up(delivery_id, delivery.deliver_claimed(delivery_id))


@shared_task(ignore_result=True)
def deliver_due_webhooks() -> int:
    """The beat pass: return stale claims to the queue, claim what is due, send each on a worker."""
    delivery.release_stale_claims()
    ids = delivery.due_delivery_ids()
    for delivery_id in ids:
        deliver_claimed_webhook.delay(delivery_id)
    return len(ids)


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    from .idempotency import idempotency_records_purge

    return idempotency_records_purge()


@shared_task(ignore_result=True)
def forget_expired_signing_secrets() -> int:
    from .webhooks.services import expired_secrets_forget

    return expired_secrets_forget()
