"""Bookings: list, get, and the lifecycle through the same services the dashboards call."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from bookings import hooks, services
from bookings import selectors as booking_selectors
from bookings.models import Booking, BookingStatus, CancelledBy

from .. import selectors
from ..auth import caller_of, require_write
from ..idempotency import idempotent
from ..problems import ApiProblem
from ..renderers import as_json
from ..schemas import BookingIn, BookingOut, BookingPage, MeetingOut, ReasonIn, RescheduleIn
from ..serializers import booking_doc
from .common import ERRORS, IDEMPOTENCY_DOC, WRITE_ERRORS

router = Router(tags=["Bookings"])


class BookingFilters(Schema):
    status: BookingStatus | None = None
    practitioner_id: int | None = None
    service_id: int | None = None
    date_from: date | None = Field(default=None, description="Local date in the clinic's zone, included.")
    date_to: date | None = Field(default=None, description="Local date in the clinic's zone, included.")
    q: str = Field(default="", max_length=100, description="Patient name, email or phone.")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=25, ge=1, le=100)


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    return booking_selectors.clinic_booking(caller_of(request).clinic, booking_id)


@router.get("/bookings", response={200: BookingPage, **ERRORS}, summary="List bookings, latest first")
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]) -> dict[str, Any]:
    clinic = caller_of(request).clinic
    for day in (filters.date_from, filters.date_to):
        if day is not None and not (date(1900, 1, 1) <= day <= date(2999, 12, 31)):
            raise ApiProblem(422, "invalid_date_range", "The date range is not valid", "Dates from 1900 to 2999.")
    found = booking_selectors.BookingFilters(
        query=filters.q,
        status=filters.status or "",
        practitioner_id=filters.practitioner_id,
        service_id=filters.service_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    rows, next_cursor = selectors.booking_page(clinic, found, filters.cursor, filters.limit)
    return {"items": [booking_doc(b) for b in rows], "next_cursor": next_cursor}


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS}, summary="Get a booking")
def get_booking(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    return booking_doc(_booking(request, booking_id))


@router.post(
    "/bookings",
    response={201: BookingOut, **WRITE_ERRORS},
    summary="Book a slot for a patient",
    openapi_extra=IDEMPOTENCY_DOC,
)
def create_booking(request: HttpRequest, payload: BookingIn) -> HttpResponse:
    caller = require_write(request)

    def create() -> tuple[int, Any]:
        service = selectors.clinic_service(caller.clinic, payload.service_id)
        practitioner = selectors.clinic_practitioner(caller.clinic, payload.practitioner_id)
        booking = services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=payload.starts_at,
            patient_name=payload.patient.name,
            patient_email=payload.patient.email,
            patient_phone=payload.patient.phone,
            notes=payload.notes,
            created_by=caller.user,
            enforce_availability=not payload.outside_published_slots,
        )
        return 201, as_json(booking_doc(booking_selectors.clinic_booking(caller.clinic, booking.pk)))

    return idempotent(request, caller, payload.model_dump(mode="json"), create)


def _transition(request: HttpRequest, booking_id: int, payload: Schema, change: Any) -> HttpResponse:
    """Run one lifecycle service on the clinic's booking, once per Idempotency-Key."""
    caller = require_write(request)
    booking = _booking(request, booking_id)

    def run() -> tuple[int, Any]:
        change(booking)
        return 200, as_json(booking_doc(booking_selectors.clinic_booking(caller.clinic, booking.pk)))

    return idempotent(request, caller, payload.model_dump(mode="json"), run)


@router.post(
    "/bookings/{booking_id}/approve",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="Approve a booking awaiting approval",
    openapi_extra=IDEMPOTENCY_DOC,
)
def approve_booking(request: HttpRequest, booking_id: int, payload: ReasonIn) -> HttpResponse:
    return _transition(request, booking_id, payload, lambda b: services.booking_approve(booking=b))


@router.post(
    "/bookings/{booking_id}/decline",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="Decline a booking awaiting approval",
    openapi_extra=IDEMPOTENCY_DOC,
)
def decline_booking(request: HttpRequest, booking_id: int, payload: ReasonIn) -> HttpResponse:
    return _transition(
        request, booking_id, payload, lambda b: services.booking_decline(booking=b, reason=payload.reason)
    )


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="Cancel a booking on the clinic's side",
    openapi_extra=IDEMPOTENCY_DOC,
)
def cancel_booking(request: HttpRequest, booking_id: int, payload: ReasonIn) -> HttpResponse:
    return _transition(
        request,
        booking_id,
        payload,
        lambda b: services.booking_cancel(booking=b, by=CancelledBy.CLINIC, reason=payload.reason),
    )


@router.post(
    "/bookings/{booking_id}/reschedule",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="Move a booking to another start",
    openapi_extra=IDEMPOTENCY_DOC,
)
def reschedule_booking(request: HttpRequest, booking_id: int, payload: RescheduleIn) -> HttpResponse:
    return _transition(
        request,
        booking_id,
        payload,
        lambda b: services.booking_reschedule(
            booking=b, starts_at=payload.starts_at, enforce_availability=not payload.outside_published_slots
        ),
    )


@router.get(
    "/bookings/{booking_id}/meeting",
    response={200: MeetingOut, **ERRORS},
    summary="The booking's online meeting: join link, status and history",
    description="Host links are given only to signed-in members and staff keys, never to patient-facing keys.",
)
def get_meeting(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    caller = caller_of(request)
    booking = _booking(request, booking_id)
    patient_view = hooks.conference_for(booking, "patient")
    if patient_view is None:
        raise ApiProblem(404, "no_meeting", "No meeting", "Only confirmed online bookings have a meeting.")
    host_view = hooks.conference_for(booking, "host") if caller.sees_host_links else None
    shown = host_view or patient_view
    return {
        "booking_id": booking.pk,
        "status": shown.status,
        "status_label": shown.status_label,
        "provider": shown.provider_label,
        "is_fallback": shown.is_fallback,
        "notice": shown.notice,
        "join_url": patient_view.join_url,
        "host_join_url": host_view.join_url if host_view else None,
        "history": selectors.meeting_history(booking),
    }
