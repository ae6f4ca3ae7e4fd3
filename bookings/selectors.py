"""Reads behind the booking pages and dashboards.

Every dashboard read takes the clinic first, so a query can never leave its tenant;
list reads join what their rows show, so a page costs the same queries at 10 or 10,000 bookings.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from clinicpro.models import Clinic

from .models import ACTIVE_STATUSES, Booking, BookingStatus, Patient, Practitioner, Service
from .table_rows import BookingRow, booking_rows, row_values


def public_clinic(slug: str) -> Clinic:
    clinic = Clinic.objects.filter(slug=slug, is_active=True).first()
    if clinic is None:
        raise Http404("No such clinic.")
    return clinic


def active_practitioners() -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(is_active=True).order_by("display_name")


def bookable_services(clinic: Clinic) -> list[Service]:
    """Active services offered by at least one active practitioner, with those practitioners."""
    services = (
        Service.objects.filter(clinic=clinic, is_active=True)
        .prefetch_related(Prefetch("practitioners", queryset=active_practitioners()))
        .order_by("name")
    )
    return [service for service in services if service.practitioners.all()]


def bookable_service(clinic: Clinic, service_id: Any) -> Service | None:
    return next((s for s in bookable_services(clinic) if str(s.pk) == str(service_id)), None)


def practitioner_offering(service: Service, practitioner_id: Any) -> Practitioner | None:
    return next((p for p in service.practitioners.all() if str(p.pk) == str(practitioner_id)), None)


def booking_by_token(token: str) -> Booking:
    booking = Booking.objects.select_related("clinic", "service", "practitioner", "patient").filter(token=token).first()
    if booking is None:
        raise Http404("No such booking.")
    return booking


def _with_rows_joined(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related("clinic", "service", "practitioner", "patient")


def clinic_bookings(clinic: Clinic) -> QuerySet[Booking]:
    return _with_rows_joined(Booking.objects.filter(clinic=clinic))


def clinic_booking(clinic: Clinic, booking_id: int) -> Booking:
    booking = clinic_bookings(clinic).filter(pk=booking_id).first()
    if booking is None:
        raise Http404("No such booking.")
    return booking


def clinic_patient(clinic: Clinic, patient_id: int) -> Patient:
    patient = Patient.objects.filter(clinic=clinic, pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def clinic_practitioner_of(membership: Any) -> Practitioner | None:
    # Through the reverse accessor, so the answer (even "none") is kept on the membership for the
    # rest of the request: the navigation asks again.
    try:
        return membership.practitioner
    except Practitioner.DoesNotExist:
        return None


def local_day_bounds(clinic: Clinic, day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a calendar day in the clinic's zone starts and ends."""
    start = datetime.combine(day, time.min, tzinfo=clinic.zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=clinic.zone)
    return start, end


def clinic_today(clinic: Clinic) -> date:
    return timezone.now().astimezone(clinic.zone).date()


@dataclass(frozen=True)
class BookingFilters:
    query: str = ""
    status: str = ""
    practitioner_id: int | None = None
    service_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def search_bookings(clinic: Clinic, filters: BookingFilters) -> QuerySet[Booking]:
    bookings = clinic_bookings(clinic)
    if filters.query:
        term = filters.query.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        match = Q(patient__name__icontains=term) | Q(patient__email__icontains=term)
        if len(digits) >= 4:
            # Phones are stored as E.164; a number typed as 0712... still finds +254712...
            match |= Q(patient__phone__contains=digits.lstrip("0"))
        bookings = bookings.filter(match)
    if filters.status:
        bookings = bookings.filter(status=filters.status)
    if filters.practitioner_id:
        bookings = bookings.filter(practitioner_id=filters.practitioner_id)
    if filters.service_id:
        bookings = bookings.filter(service_id=filters.service_id)
    if filters.date_from:
        bookings = bookings.filter(starts_at__gte=local_day_bounds(clinic, filters.date_from)[0])
    if filters.date_to:
        bookings = bookings.filter(starts_at__lt=local_day_bounds(clinic, filters.date_to)[1])
    return bookings.order_by("-starts_at")


@dataclass
class DashboardLists:
    today: list[BookingRow]
    upcoming: list[BookingRow]
    pending: list[BookingRow]
    upcoming_total: int
    today_total: int = 0


UPCOMING_DAYS = 14
UPCOMING_SHOWN = 25


def dashboard_lists(clinic: Clinic, practitioner: Practitioner | None) -> DashboardLists:
    """Today's bookings, the next two weeks, and what waits for approval (of one practitioner, or all)."""
    bookings = Booking.objects.filter(clinic=clinic)
    if practitioner is not None:
        bookings = bookings.filter(practitioner=practitioner)
    day_start, day_end = local_day_bounds(clinic, clinic_today(clinic))
    fortnight_end = day_end + timedelta(days=UPCOMING_DAYS)
    is_today = Q(starts_at__gte=day_start, starts_at__lt=day_end) & ~Q(
        status__in=[BookingStatus.EXPIRED, BookingStatus.DECLINED]
    )
    is_upcoming = Q(
        starts_at__gte=day_end,
        starts_at__lt=fortnight_end,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT],
    )
    is_pending = Q(status=BookingStatus.PENDING, starts_at__gte=timezone.now())
    # Each list shows at most UPCOMING_SHOWN rows and links to the full list: the page costs the
    # same however busy the day or the clinic. Both totals come from one pass over the fortnight.
    totals = bookings.filter(starts_at__gte=day_start, starts_at__lt=fortnight_end).aggregate(
        today=Count("pk", filter=is_today), upcoming=Count("pk", filter=is_upcoming)
    )
    return DashboardLists(
        today=_first_rows(bookings.filter(is_today), clinic),
        today_total=totals["today"],
        upcoming=_first_rows(bookings.filter(is_upcoming), clinic),
        upcoming_total=totals["upcoming"],
        pending=_first_rows(bookings.filter(is_pending), clinic),
    )


def _first_rows(bookings: QuerySet[Booking], clinic: Clinic) -> list[BookingRow]:
    return booking_rows(row_values(bookings.order_by("starts_at"))[:UPCOMING_SHOWN], clinic)


def patient_bookings(clinic: Clinic, patient: Patient) -> QuerySet[Booking]:
    return clinic_bookings(clinic).filter(patient=patient).order_by("-starts_at")


def practitioner_feed_bookings(
    practitioner: Practitioner, *, days_back: int = 14, days_ahead: int = 180
) -> QuerySet[Booking]:
    """What a subscribed calendar needs: recent and coming bookings, not the whole history."""
    now = timezone.now()
    return (
        _with_rows_joined(Booking.objects.filter(practitioner=practitioner))
        .filter(
            status__in=ACTIVE_STATUSES,
            ends_at__gte=now - timedelta(days=days_back),
            starts_at__lte=now + timedelta(days=days_ahead),
        )
        .order_by("starts_at")
    )


def verified_emails(user: Any) -> list[str]:
    from allauth.account.models import EmailAddress

    return [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]


def bookings_of_user(user: Any) -> QuerySet[Booking]:
    """A signed-in person's bookings at every clinic: linked to their account, or made with a verified email."""
    match = Q(patient__user=user)
    for email in verified_emails(user):
        match |= Q(patient__email__iexact=email)
    # Coming bookings first, soonest at the top; then the past, most recent first.
    now = timezone.now()
    coming = Q(ends_at__gte=now)
    return (
        _with_rows_joined(Booking.objects.filter(match))
        .annotate(is_past=Case(When(coming, then=Value(0)), default=Value(1)))
        .order_by("is_past", Case(When(coming, then=F("starts_at"))).asc(), F("starts_at").desc())
    )
