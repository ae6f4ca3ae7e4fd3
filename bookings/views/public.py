"""Public booking at /book/<clinic-slug>/: service, practitioner, time, details, confirm.

Every step is a plain GET link or POST form, so the flow works without JavaScript;
with htmx, changing the day swaps only the list of times.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinicpro.requests import HtmxRequest

from .. import selectors
from ..availability import is_slot_available
from ..errors import BookingError, SlotTaken, SlotUnavailable
from ..formatting import when, zone_label
from ..forms import PatientDetailsForm, parse_slot
from ..models import BookingStatus, Practitioner, Service
from ..services import booking_create, patient_change_rule
from .slot_picker import build_slot_picker, slots_near

AFTER_BOOKING_MESSAGES: dict[str, str] = {
    BookingStatus.CONFIRMED: "Thank you, you are booked.",
    BookingStatus.PENDING: "Thank you, your request has been sent.",
    BookingStatus.AWAITING_PAYMENT: "Thank you, your time is held for you.",
}


def _steps(active: int) -> list[dict[str, Any]]:
    names = ["Service", "Practitioner", "Time", "Your details"]
    return [{"number": n, "name": name, "active": n == active, "done": n < active} for n, name in enumerate(names, 1)]


def book(request: HtmxRequest, clinic_slug: str) -> HttpResponse:
    clinic = selectors.public_clinic(clinic_slug)
    services = selectors.bookable_services(clinic)
    service = next((s for s in services if str(s.pk) == request.GET.get("service")), None)
    context: dict[str, Any] = {"clinic": clinic, "services": services, "service": service}
    if service is None:
        return render(request, "bookings/public/choose_service.html", {**context, "steps": _steps(1)})

    practitioners = list(service.practitioners.all())
    practitioner = selectors.practitioner_offering(service, request.GET.get("practitioner"))
    if practitioner is None and len(practitioners) == 1:
        practitioner = practitioners[0]
    context.update(practitioners=practitioners, practitioner=practitioner)
    if practitioner is None:
        return render(request, "bookings/public/choose_practitioner.html", {**context, "steps": _steps(2)})

    picker = build_slot_picker(
        request,
        service=service,
        practitioner=practitioner,
        params={"service": service.pk, "practitioner": practitioner.pk},
        slot_url=lambda value: _details_url(clinic_slug, service, practitioner, value),
    )
    context.update(picker=picker, steps=_steps(3))
    if request.htmx:
        return render(request, "bookings/_slot_picker.html", context)
    return render(request, "bookings/public/choose_time.html", context)


def _details_url(clinic_slug: str, service: Service, practitioner: Practitioner, slot: str) -> str:
    query = urlencode({"service": service.pk, "practitioner": practitioner.pk, "slot": slot}, safe=":")
    return f"{reverse('book_details', args=[clinic_slug])}?{query}"


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = selectors.public_clinic(clinic_slug)
    service = selectors.bookable_service(clinic, request.GET.get("service"))
    practitioner = selectors.practitioner_offering(service, request.GET.get("practitioner")) if service else None
    slot = parse_slot(request.GET.get("slot"))
    if service is None or practitioner is None or slot is None:
        return redirect("book", clinic_slug=clinic_slug)

    initial = {"slot": request.GET.get("slot")}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
    form = PatientDetailsForm(request.POST or None, initial=initial)
    alternatives: list = []
    slot_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = booking_create(
                service=service,
                practitioner=practitioner,
                starts_at=data["slot"],
                patient_name=data["name"],
                patient_email=data["email"],
                patient_phone=data["phone"],
                notes=data["notes"],
                contact_preference=data["contact_preference"],
                user=_account_for(request, data["email"]),
            )
        except (SlotTaken, SlotUnavailable) as exc:
            slot_error = str(exc)
            alternatives = slots_near(service=service, practitioner=practitioner, moment=data["slot"])
        except BookingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, AFTER_BOOKING_MESSAGES.get(booking.status, "Your booking is saved."))
            return redirect("booking_manage", token=booking.token)

    chosen = getattr(form, "cleaned_data", {}).get("slot") or slot
    if not slot_error and not is_slot_available(service=service, practitioner=practitioner, starts_at=chosen):
        # Taken while the patient was choosing (or still taken when they confirm without picking
        # another): say so every time, with the free times near it, so the page always leads on.
        slot_error = SlotTaken.default_message
        alternatives = slots_near(service=service, practitioner=practitioner, moment=chosen)
    if alternatives and form.is_bound and "slot" in form.errors:
        slot_error = "That time is taken. Please pick one of the free times below, then confirm."
    return render(
        request,
        "bookings/public/details.html",
        {
            "clinic": clinic,
            "service": service,
            "practitioner": practitioner,
            "form": form,
            "slot_text": when(chosen, None, clinic.zone),
            "slot_value": form["slot"].value() or request.GET.get("slot"),
            "zone_label": zone_label(clinic.zone, chosen),
            "alternatives": alternatives,
            "slot_error": slot_error,
            "change_rule": patient_change_rule(clinic),
            "inside_cutoff": chosen - timezone.now() < timedelta(hours=clinic.cancellation_cutoff_hours),
            "back_url": reverse("book", args=[clinic_slug])
            + "?"
            + urlencode({"service": service.pk, "practitioner": practitioner.pk}),
            "steps": _steps(4),
        },
    )


def _account_for(request: HttpRequest, email: str) -> Any:
    """Link the booking to the signed-in account only when it is made with that account's own email."""
    user = request.user
    if user.is_authenticated and user.email and user.email.lower() == email.lower():
        return user
    return None
