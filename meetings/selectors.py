"""Reads about meetings that dashboards and the sweeper share."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bookings.models import LONGEST_SERVICE_MINUTES, Booking, BookingStatus
from clinicpro.models import Clinic

from .models import ClinicMeetingSettings, Meeting, MeetingStatus
from .providers.selfhosted import SelfHostedProvider


def _has_working_link() -> Exists:
    return Exists(Meeting.objects.filter(booking=OuterRef("pk"), is_current=True, status=MeetingStatus.ACTIVE))


def confirmed_online_without_link(*, now: datetime, until: datetime) -> QuerySet[Booking]:
    """Confirmed online bookings not over yet and starting before `until` that have no working meeting."""
    # The upper bound on the end says nothing new (no booking outlasts its service's longest length),
    # but it keeps the index scan to the bookings near `until` instead of every one still to come.
    ends_by = until + timedelta(minutes=LONGEST_SERVICE_MINUTES)
    return (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED, is_online=True, ends_at__gt=now, ends_at__lte=ends_by, starts_at__lte=until
        )
        .exclude(_has_working_link())
        .order_by("starts_at")
    )


def bookings_missing_links(clinic: Clinic, *, now: datetime | None = None) -> QuerySet[Booking]:
    """The clinic's confirmed online bookings that start soon (or are running) with no working link.

    Soon is MEETINGS_URGENT_MINUTES; the dashboard shows these loudly.
    """
    now = now or timezone.now()
    until = now + timedelta(minutes=settings.MEETINGS_URGENT_MINUTES)
    return (
        confirmed_online_without_link(now=now, until=until)
        .filter(clinic=clinic)
        .select_related("service", "practitioner")
    )


def fallback_meetings_needing_attention(clinic: Clinic, *, now: datetime | None = None) -> QuerySet[Meeting]:
    """Current fallback meetings of the clinic's upcoming confirmed bookings, with the reason in fallback_reason."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            booking__clinic=clinic,
            booking__status=BookingStatus.CONFIRMED,
            booking__ends_at__gt=now,
            is_current=True,
            is_fallback=True,
        )
        .select_related("booking", "booking__practitioner", "booking__service")
        .order_by("booking__starts_at")
    )


def awaiting_deletion() -> QuerySet[Meeting]:
    """Meetings the booking moved on from (or cancelled) that the vendor may still hold."""
    retired = Q(status=MeetingStatus.CANCELLED) | Q(is_current=False)
    at_vendor = Q(answer_lost=True) | ~Q(external_id="")
    return Meeting.objects.filter(retired, at_vendor, provider_deleted_at__isnull=True)


def meetings_stuck_at_vendor(clinic: Clinic) -> QuerySet[Meeting]:
    """The clinic's meetings whose deletion at the vendor has failed so far; they are tried again until it works."""
    return (
        awaiting_deletion()
        .filter(booking__clinic=clinic, step_failures__gt=0)
        .select_related("booking", "booking__practitioner", "booking__service")
        .order_by("booking__starts_at")
    )


def room_server_settings(room: str) -> ClinicMeetingSettings | None:
    """The meeting settings of the clinic whose self-hosted room this is, or None for a room nobody made.

    A room server checks tokens with its clinic's app id, secret and audience, and
    without them runs the room open; the sandbox's room server asks here.
    """
    clinic_id = (
        Meeting.objects.filter(provider=SelfHostedProvider.key, external_id=room)
        .values_list("booking__clinic_id", flat=True)
        .first()
    )
    if clinic_id is None:
        return None
    # Made with the defaults if missing, as the provider saw them when it made the room.
    return ClinicMeetingSettings.objects.get_or_create(clinic_id=clinic_id)[0]
