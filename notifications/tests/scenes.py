"""Bookings made and moved the way the pages do it, with their after-commit work run."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import services
from bookings.models import Booking, ConfirmationPolicy, Service

START = datetime(2031, 3, 4, 6, 0, tzinfo=UTC)


def soon(days: int = 3) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def on_commit_now(work):
    """Run `work` in its own transaction and return its result once that has committed."""
    with transaction.atomic():
        result = work()
    return result


def book(
    service: Service,
    practitioner,
    *,
    starts_at: datetime | None = None,
    preference: str = "sms",
    phone: str = "+254712345678",
    email: str = "achieng@example.com",
    manual: bool = True,
) -> Booking:
    if manual and service.confirmation_policy != ConfirmationPolicy.MANUAL:
        service.confirmation_policy = ConfirmationPolicy.MANUAL
        service.save()
    return on_commit_now(
        lambda: services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=starts_at or soon(),
            patient_name="Achieng Otieno",
            patient_email=email,
            patient_phone=phone,
            contact_preference=preference,
            enforce_availability=False,
        )
    )


def approve(booking: Booking) -> Booking:
    return on_commit_now(lambda: services.booking_approve(booking=booking))
