"""Services, practitioners and the slots they offer (read)."""

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from bookings.availability import search_slots

from .. import selectors
from ..auth import caller_of
from ..problems import ApiProblem
from ..schemas import DateRange, PractitionerOut, ServiceOut, SlotsOut
from ..serializers import practitioner_doc, service_doc
from .common import ERRORS

router = Router(tags=["Catalog"])

MAX_SLOT_RANGE_DAYS = 31
MAX_YEARS_AWAY = 5


@router.get("/services", response={200: list[ServiceOut], **ERRORS}, summary="List the clinic's services")
def list_services(request: HttpRequest) -> list[dict[str, Any]]:
    return [service_doc(s) for s in selectors.clinic_services(caller_of(request).clinic).order_by("name", "pk")]


@router.get("/services/{service_id}", response={200: ServiceOut, **ERRORS}, summary="Get a service")
def get_service(request: HttpRequest, service_id: int) -> dict[str, Any]:
    return service_doc(selectors.clinic_service(caller_of(request).clinic, service_id))


@router.get("/practitioners", response={200: list[PractitionerOut], **ERRORS}, summary="List practitioners")
def list_practitioners(request: HttpRequest) -> list[dict[str, Any]]:
    clinic = caller_of(request).clinic
    return [practitioner_doc(p) for p in selectors.clinic_practitioners(clinic).order_by("display_name", "pk")]


@router.get("/practitioners/{practitioner_id}", response={200: PractitionerOut, **ERRORS}, summary="Get a practitioner")
def get_practitioner(request: HttpRequest, practitioner_id: int) -> dict[str, Any]:
    return practitioner_doc(selectors.clinic_practitioner(caller_of(request).clinic, practitioner_id))


@router.get(
    "/services/{service_id}/practitioners/{practitioner_id}/slots",
    response={200: SlotsOut, **ERRORS},
    summary="Bookable slots of a practitioner for a service",
    description=f"Dates are the practitioner's local dates, both included, at most {MAX_SLOT_RANGE_DAYS} days.",
)
def list_slots(request: HttpRequest, service_id: int, practitioner_id: int, dates: Query[DateRange]) -> dict[str, Any]:
    clinic = caller_of(request).clinic
    service = selectors.clinic_service(clinic, service_id)
    practitioner = selectors.clinic_practitioner(clinic, practitioner_id)
    _check_range(dates.start, dates.end)
    answer = {"service_id": service.pk, "practitioner_id": practitioner.pk, "slots": [], "warnings": []}
    if not service.practitioners.filter(pk=practitioner.pk).exists():
        return {**answer, "warnings": ["This practitioner does not offer this service."]}
    search = search_slots(service=service, practitioner=practitioner, start=dates.start, end=dates.end)
    zone = clinic.zone
    slots = [{"starts_at": s.starts_at.astimezone(zone), "ends_at": s.ends_at.astimezone(zone)} for s in search.slots]
    return {**answer, "slots": slots, "warnings": search.warnings}


def _check_range(start: date, end: date) -> None:
    if abs((start - date.today()).days) > MAX_YEARS_AWAY * 366:
        raise ApiProblem(
            422, "invalid_date_range", "The date range is not valid", f"Ask about dates within {MAX_YEARS_AWAY} years."
        )
    if end < start or end - start > timedelta(days=MAX_SLOT_RANGE_DAYS - 1):
        raise ApiProblem(
            422,
            "invalid_date_range",
            "The date range is not valid",
            f"`end` must be on or after `start`, at most {MAX_SLOT_RANGE_DAYS} days in all.",
        )
