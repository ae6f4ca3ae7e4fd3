from celery import shared_task

from .services import stale_holds_expired


@shared_task(acks_late=True)
def expire_holds() -> int:
    """Free the slots of payment holds that ran out (beat runs this every minute)."""
    return stale_holds_expired()
