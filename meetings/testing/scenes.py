"""Small helpers the meetings tests share: online bookings made through bookings' own services."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_create

T = TypeVar("T")


def a_start(hours_ahead: float) -> datetime:
    """A whole-minute start time `hours_ahead` from now."""
    return (timezone.now() + timedelta(hours=hours_ahead)).replace(second=0, microsecond=0)


def book_online(
    service: Any,
    practitioner: Any,
    *,
    hours_ahead: float = 24,
    patient_name: str = "Achieng Otieno",
    patient_email: str = "achieng@example.com",
) -> Booking:
    """A patient books `service`; its confirmation policy decides whether booking_confirmed fires now."""
    return booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=a_start(hours_ahead),
        patient_name=patient_name,
        patient_email=patient_email,
        patient_phone="0712 345 678",
        enforce_availability=False,
    )


def wait_for(probe: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.1) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds with its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting after {timeout:g}s; last answer: {answer!r}")
        time.sleep(interval)


def settle_due_work(*, rounds: int = 10) -> int:
    """Run every meeting step that is owed, as the due pass would once each backoff is over; returns steps run."""
    from meetings.models import Meeting
    from meetings.services import meetings_run_due

    done = 0
    for _ in range(rounds):
        now = timezone.now()
        Meeting.objects.filter(next_attempt_at__gt=now, lease_expires_at__isnull=True).update(next_attempt_at=now)
        ran = meetings_run_due(budget_seconds=60)
        if not ran:
            break
        done += ran
    return done
