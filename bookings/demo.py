"""Demo data of bookings: practitioner profiles, working hours, services and a few bookings.

Called by `manage.py seed_demo` after clinicpro; idempotent (everything is found
by its natural key first, and a demo booking is only made when the patient has
no upcoming one of that kind).
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from .availability import available_slots
from .models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    ConfirmationPolicy,
    Practitioner,
    Service,
    WorkingHours,
)
from .services import booking_approve, booking_create

WEEKDAY_HOURS = (time(8), time(17))
SATURDAY_HOURS = (time(9), time(13))
SATURDAY = WorkingHours.Weekday.SATURDAY

PROFILES = [
    ("General practice", "Family doctor for adults and children; online follow-ups and in-person check-ups."),
    ("Counselling", "Counselling psychologist: anxiety, stress and relationships, in person or by video."),
]

SERVICES = [
    {
        "name": "Online consultation",
        "description": "A 30-minute video consultation with a doctor. Free; the practitioner confirms each request.",
        "duration_minutes": 30,
        "price": 0,
        "is_online": True,
        "meeting_platform": "selfhosted",
        "confirmation_policy": ConfirmationPolicy.MANUAL,
    },
    {
        "name": "Video therapy session",
        "description": "A 50-minute counselling session by video, confirmed once paid with M-Pesa.",
        "duration_minutes": 50,
        "buffer_after_minutes": 10,
        "price": 1500,
        "is_online": True,
        "meeting_platform": "selfhosted",
        "confirmation_policy": ConfirmationPolicy.PAYMENT,
    },
    {
        "name": "Clinic visit",
        "description": "An in-person visit at our Ngong Road clinic. Confirmed at once.",
        "duration_minutes": 30,
        "price": 1000,
        "is_online": False,
        "confirmation_policy": ConfirmationPolicy.AUTOMATIC,
    },
]


def _practitioner(membership: Any, specialty: str, bio: str) -> Practitioner:
    user = membership.user
    practitioner, _ = Practitioner.objects.get_or_create(
        membership=membership,
        defaults={
            "clinic": membership.clinic,
            "display_name": f"Dr. {user.get_full_name() or user.username}",
            "specialty": specialty,
            "bio": bio,
        },
    )
    if not practitioner.working_hours.exists():
        hours = [(weekday, *WEEKDAY_HOURS) for weekday in range(5)] + [(SATURDAY, *SATURDAY_HOURS)]
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=weekday, start_time=start, end_time=end)
            for weekday, start, end in hours
        )
    return practitioner


def _service(clinic: Any, spec: dict[str, Any], practitioners: list[Practitioner]) -> Service:
    fields = dict(spec)
    service, _ = Service.objects.get_or_create(clinic=clinic, name=fields.pop("name"), defaults=fields)
    service.practitioners.add(*practitioners)
    return service


def _first_free_start(service: Service, practitioner: Practitioner, *, days_ahead: int) -> datetime | None:
    today = timezone.localdate(timezone=practitioner.zone)
    start = today + timedelta(days=days_ahead)
    slots = available_slots(service=service, practitioner=practitioner, start=start, end=start + timedelta(days=14))
    return slots[0].starts_at if slots else None


def _demo_booking(
    service: Service, practitioner: Practitioner, patient_user: Any, *, days_ahead: int, notes: str
) -> Booking | None:
    upcoming = Booking.objects.filter(
        service=service,
        practitioner=practitioner,
        patient__user=patient_user,
        status__in=ACTIVE_STATUSES,
        starts_at__gt=timezone.now(),
    ).first()
    if upcoming is not None:
        return upcoming
    starts_at = _first_free_start(service, practitioner, days_ahead=days_ahead)
    if starts_at is None:
        return None
    return booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        patient_name=patient_user.get_full_name() or patient_user.username,
        patient_email=patient_user.email,
        patient_phone="0712 345 678",
        notes=notes,
        user=patient_user,
    )


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    memberships = [user.memberships.get(clinic=clinic) for user in context["practitioner_users"]]
    practitioners = [
        _practitioner(membership, *PROFILES[index % len(PROFILES)]) for index, membership in enumerate(memberships)
    ]
    doctor, counsellor = practitioners[0], practitioners[-1]
    online, therapy, visit = (
        _service(clinic, SERVICES[0], practitioners),
        _service(clinic, SERVICES[1], [counsellor]),
        _service(clinic, SERVICES[2], practitioners),
    )

    patient = context["patient_user"]
    waiting = _demo_booking(online, doctor, patient, days_ahead=1, notes="Follow-up on blood pressure readings.")
    confirmed_online = _demo_booking(online, counsellor, patient, days_ahead=2, notes="First online consultation.")
    if confirmed_online is not None and confirmed_online.status == BookingStatus.PENDING:
        confirmed_online = booking_approve(booking=confirmed_online)
    visit_booking = _demo_booking(visit, doctor, patient, days_ahead=3, notes="Annual check-up.")

    site = settings.SITE_URL
    context["lines"]["links"] += [
        f"Book              {site}/book/{clinic.slug}/",
        *(
            f"Manage booking    {site}/b/{booking.token}/  ({booking.service.name}, {booking.get_status_display()})"
            for booking in (waiting, confirmed_online, visit_booking)
            if booking is not None
        ),
    ]
    context.update(
        practitioners=practitioners,
        services=[online, therapy, visit],
        demo_bookings=[b for b in (waiting, confirmed_online, visit_booking) if b is not None],
    )
    return context
