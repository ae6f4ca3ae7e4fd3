"""The rows of the dashboards' booking tables (today, the coming days, the bookings list, a patient's history).

A table shows a few columns of many bookings: they are read as plain values in one query, and each
row's links are filled into URLs reversed once per table, so a row costs neither a model instance
per joined table nor a `reverse()` per link. A row is a dict, the first thing a template variable
lookup tries: an object would cost a failed `row[name]` before each attribute.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any, TypedDict

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from clinicpro.models import Clinic

from .badges import status_badge
from .formatting import short_when
from .models import Booking, BookingStatus

# Reversed in place of each row's id; "/0/" is then the last path segment holding a number.
ID_PLACEHOLDER = 0

STATUS_LABELS: dict[str, str] = dict(BookingStatus.choices)

ROW_VALUES = (
    "pk",
    "starts_at",
    "status",
    "is_online",
    "service_name",
    "service__name",
    "patient_id",
    "patient__name",
    "practitioner__display_name",
)


class BookingRow(TypedDict):
    pk: int
    starts_at: datetime
    when: str  # "Mon 5 Jan, 09:00" in the clinic's zone
    status: str
    status_badge: SafeString
    is_online: bool
    service_label: str  # what was booked, as it was called then
    patient_name: str
    practitioner_name: str
    url: str
    patient_url: str
    approve_url: str
    decline_url: str


class RowLinks:
    """A clinic's per-booking dashboard URLs: reversed once, then given each row's ids."""

    def __init__(self, clinic_slug: str) -> None:
        self.booking = self._pattern("clinic_booking", clinic_slug, ID_PLACEHOLDER)
        self.patient = self._pattern("clinic_patient", clinic_slug, ID_PLACEHOLDER)
        self.approve = self._pattern("clinic_booking_action", clinic_slug, ID_PLACEHOLDER, "approve")
        self.decline = self._pattern("clinic_booking_decline", clinic_slug, ID_PLACEHOLDER)

    @staticmethod
    def _pattern(name: str, *args: Any) -> tuple[str, str]:
        before, placeholder, after = reverse(name, args=args).rpartition(f"/{ID_PLACEHOLDER}/")
        if not placeholder:
            raise ValueError(f"{name} has no id segment to fill in")
        return f"{before}/", f"/{after}"

    @staticmethod
    def fill(pattern: tuple[str, str], object_id: int) -> str:
        return f"{pattern[0]}{object_id}{pattern[1]}"


def row_values(bookings: QuerySet[Booking]) -> QuerySet[Booking, dict[str, Any]]:
    """`bookings` as the values a table row shows, with the names it needs joined in the same query."""
    return bookings.values(*ROW_VALUES)


@lru_cache(maxsize=1024)
def _links_under(clinic_slug: str, script_prefix: str, urlconf: str) -> RowLinks:
    return RowLinks(clinic_slug)


def row_links(clinic_slug: str) -> RowLinks:
    """The clinic's row links, reversed once per process (for the URL configuration and prefix in use)."""
    return _links_under(clinic_slug, get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))


def booking_rows(values: Iterable[dict[str, Any]], clinic: Clinic) -> list[BookingRow]:
    links = row_links(clinic.slug)
    zone = clinic.zone
    return [
        BookingRow(
            pk=row["pk"],
            starts_at=row["starts_at"],
            when=short_when(row["starts_at"], zone),
            status=row["status"],
            status_badge=status_badge(row["status"], STATUS_LABELS[row["status"]]),
            is_online=row["is_online"],
            service_label=row["service_name"] or row["service__name"],
            patient_name=row["patient__name"],
            practitioner_name=row["practitioner__display_name"],
            url=links.fill(links.booking, row["pk"]),
            patient_url=links.fill(links.patient, row["patient_id"]),
            approve_url=links.fill(links.approve, row["pk"]),
            decline_url=links.fill(links.decline, row["pk"]),
        )
        for row in values
    ]


def render_booking_table(
    request: HttpRequest, rows: list[BookingRow], *, empty: str, with_actions: bool = False
) -> SafeString:
    """The rows as the staff pages' bookings table; `empty` is said instead when there are none.

    With actions, a pending booking's row can be approved or declined in place, then comes back here.
    """
    context = {
        "bookings": rows,
        "with_actions": with_actions,
        "empty": empty,
        "next_url": request.get_full_path(),
        # Masked once for the table, as {% csrf_token %} is once per page: Jinja2's own csrf_input
        # masks the token afresh (64 random characters) each time a row shows it.
        "csrf_field": csrf_input(request) if with_actions else "",
    }
    html = render_to_string("bookings/booking_table.html", context, request=request, using="jinja2")
    # Jinja2 escaped every value it was given; only the status badges come in as safe HTML.
    return mark_safe(html)  # noqa: S308


class RowPaginator(Paginator):
    """Pages of table rows of `bookings`, counted without the joins the rows need."""

    def __init__(self, bookings: QuerySet[Booking], per_page: int) -> None:
        super().__init__(row_values(bookings), per_page)
        self._bookings = bookings

    @cached_property
    def count(self) -> int:
        return self._bookings.count()
