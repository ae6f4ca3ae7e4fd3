"""Reads of the API. Each takes the caller's clinic first: another clinic's id is simply not found."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from bookings import selectors as booking_selectors
from bookings.models import Booking, Practitioner, Service
from clinicpro.models import Clinic
from payments.models import Invoice, Payment, StkAttempt

from .pagination import latest_first_page
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


def booking_page(
    clinic: Clinic, filters: booking_selectors.BookingFilters, cursor: str | None, limit: int
) -> tuple[list[Booking], str | None]:
    """One page of the clinic's bookings, latest start first, and the cursor of the next page."""
    return latest_first_page(booking_selectors.search_bookings(clinic, filters), "starts_at", cursor, limit)


def clinic_invoices(clinic: Clinic) -> QuerySet[Invoice]:
    """The clinic's invoices with their prompts (and the receipt each brought) and payments, in three queries."""
    return (
        Invoice.objects.filter(clinic=clinic)
        .select_related("clinic")
        .prefetch_related(
            Prefetch("attempts", queryset=StkAttempt.objects.select_related("payment")),
            Prefetch("payments", queryset=Payment.objects.all()),
        )
    )


def invoice_page(
    clinic: Clinic, *, status: str, booking_id: int | None, cursor: str | None, limit: int
) -> tuple[list[Invoice], str | None]:
    """One page of the clinic's invoices, newest first, and the cursor of the next page."""
    invoices = clinic_invoices(clinic)
    if status:
        invoices = invoices.filter(status=status)
    if booking_id is not None:
        invoices = invoices.filter(booking_id=booking_id)
    return latest_first_page(invoices, "created_at", cursor, limit)


def clinic_invoice(clinic: Clinic, invoice_id: int) -> Invoice:
    invoice = clinic_invoices(clinic).filter(pk=invoice_id).select_related("booking__patient").first()
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def booking_invoice(clinic: Clinic, booking_id: int) -> Invoice:
    """The invoice of the clinic's booking: 404 not_found for no such booking, 404 no_invoice for a free one."""
    booking = booking_selectors.clinic_booking(clinic, booking_id)
    invoice = clinic_invoices(clinic).filter(booking=booking).first()
    if invoice is None:
        raise ApiProblem(404, "no_invoice", "No invoice", "Only bookings paid for online have an invoice.")
    return invoice


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
