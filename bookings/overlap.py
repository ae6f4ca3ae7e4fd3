"""No double booking: the query the services check, and the constraint PostgreSQL enforces."""

from datetime import datetime

from django.db.models import QuerySet

from .models import ACTIVE_STATUSES, Booking, Practitioner

# Name of the exclusion constraint created by migration; IntegrityErrors naming it mean "slot taken".
NO_OVERLAP_CONSTRAINT = "booking_no_overlap_per_practitioner"


def overlapping_active_bookings(
    practitioner: Practitioner, start: datetime, end: datetime, exclude_id: int | None = None
) -> QuerySet[Booking]:
    clash = Booking.objects.filter(
        practitioner=practitioner, status__in=ACTIVE_STATUSES, blocked_from__lt=end, blocked_until__gt=start
    )
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    return clash
