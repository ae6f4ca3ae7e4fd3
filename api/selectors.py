"""Reads of the API. Each takes the caller's clinic first: another clinic's id is simply not found."""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from bookings import selectors as booking_selectors
from bookings.models import Booking, Practitioner, Service
from clinicpro.models import Clinic

from .problems import ApiProblem


def clinic_services(clinic: Clinic) -> QuerySet[Service]:
    return Service.objects.filter(clinic=clinic).select_related("clinic").prefetch_related("practitioners")


def clinic_service(clinic: Clinic, service_id: int) -> Service:
    service = clinic_services(clinic).filter(pk=service_id).first()
    if service is None:
        raise Http404("No such service.")
    return service


def clinic_practitioners(clinic: Clinic) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(clinic=clinic).select_related("clinic").prefetch_related("services")


def clinic_practitioner(clinic: Clinic, practitioner_id: int) -> Practitioner:
    practitioner = clinic_practitioners(clinic).filter(pk=practitioner_id).first()
    if practitioner is None:
        raise Http404("No such practitioner.")
    return practitioner


def encode_cursor(booking: Booking) -> str:
    raw = f"{booking.starts_at.isoformat()}|{booking.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, pk = raw.partition("|")
        starts_at = datetime.fromisoformat(moment)
        if starts_at.tzinfo is None:
            raise ValueError("naive")
        return starts_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiProblem(400, "invalid_cursor", "The cursor is not valid", "Use next_cursor as given.") from exc


def booking_page(
    clinic: Clinic, filters: booking_selectors.BookingFilters, cursor: str | None, limit: int
) -> tuple[list[Booking], str | None]:
    """One page of the clinic's bookings, latest start first, and the cursor of the next page."""
    bookings = booking_selectors.search_bookings(clinic, filters).order_by("-starts_at", "-pk")
    if cursor:
        starts_at, pk = _decode_cursor(cursor)
        bookings = bookings.filter(Q(starts_at__lt=starts_at) | Q(starts_at=starts_at, pk__lt=pk))
    rows = list(bookings[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def meeting_history(booking: Booking) -> list[dict[str, Any]]:
    from meetings.models import Meeting

    return [
        {
            "provider": meeting.provider,
            "status": meeting.status,
            "is_current": meeting.is_current,
            "is_fallback": meeting.is_fallback,
            "fallback_reason": meeting.fallback_reason,
            "created_at": meeting.created_at.astimezone(booking.clinic.zone),
            "cancelled_at": meeting.cancelled_at.astimezone(booking.clinic.zone) if meeting.cancelled_at else None,
        }
        for meeting in Meeting.objects.filter(booking=booking).order_by("-created_at", "-id")
    ]


def current_meeting_provider(booking: Booking) -> str:
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(booking=booking, is_current=True).first()
    return meeting.provider if meeting else ""


def clinic_connections(clinic: Clinic) -> list[dict[str, Any]]:
    from integrations.models import Connection

    connections = Connection.objects.filter(clinic=clinic).select_related("membership__practitioner")
    return [
        {
            "id": connection.pk,
            "provider": connection.provider,
            "kind": connection.kind,
            "status": connection.status,
            "practitioner_id": _practitioner_id(connection),
            "account_email": connection.account_email,
            "calendar_sync_failing": connection.calendar_error_at is not None,
            "updated_at": connection.updated_at.astimezone(clinic.zone),
        }
        for connection in connections.order_by("pk")
    ]


def _practitioner_id(connection: Any) -> int | None:
    membership = connection.membership
    if membership is None:
        return None
    # A missing reverse one-to-one raises an AttributeError subclass, which getattr turns into None.
    practitioner = getattr(membership, "practitioner", None)
    return practitioner.pk if practitioner else None
