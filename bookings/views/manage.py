"""The patient's own page for one booking, /b/<token>/: no login, the token is the key."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinicpro.requests import HtmxRequest

from .. import hooks, ics, selectors
from ..errors import BookingError, SlotTaken, SlotUnavailable
from ..formatting import when, zone_label
from ..forms import SlotForm, parse_slot
from ..models import Booking, BookingStatus, CancelledBy
from ..services import (
    CHANGEABLE_STATUSES,
    booking_cancel,
    booking_expire_if_lapsed,
    booking_reschedule,
    patient_can_cancel,
    patient_can_reschedule,
    patient_change_deadline,
    patient_change_rule,
)
from .slot_picker import build_slot_picker


def _page_context(request: HttpRequest, booking: Booking) -> dict[str, Any]:
    clinic = booking.clinic
    return {
        "booking": booking,
        "clinic": clinic,
        "zone_label": zone_label(clinic.zone, booking.starts_at),
        "changeable": booking.status in CHANGEABLE_STATUSES,
        "can_cancel": patient_can_cancel(booking),
        "can_reschedule": patient_can_reschedule(booking),
        "deadline": patient_change_deadline(booking),
        "change_rule": patient_change_rule(clinic),
        "manage_url": request.build_absolute_uri(reverse("booking_manage", args=[booking.token])),
    }


@never_cache  # the page shows the patient's name and is its own key: no shared or back-button caches
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_expire_if_lapsed(booking=selectors.booking_by_token(token))
    context = _page_context(request, booking)
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        context["payment_instructions"] = hooks.payment_instructions(request, booking)
    if booking.is_online and booking.status not in (BookingStatus.CANCELLED, BookingStatus.DECLINED):
        context["conference"] = hooks.conference_for(booking, "patient")
    context["manage_panels"] = hooks.manage_panels(request, booking)
    return render(request, "bookings/manage/manage.html", context)


@never_cache
def calendar_file(request: HttpRequest, token: str) -> HttpResponse:
    booking = selectors.booking_by_token(token)
    response = HttpResponse(ics.booking_calendar(booking).to_ical(), content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="booking.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = selectors.booking_by_token(token)
    if request.method == "POST" and booking.status not in CHANGEABLE_STATUSES:
        messages.info(request, f"This booking is already {booking.get_status_display().lower()}.")
        return redirect("booking_manage", token=token)
    if request.method == "POST":
        try:
            booking_cancel(booking=booking, by=CancelledBy.PATIENT, reason="Cancelled by the patient online.")
        except BookingError as exc:  # OutsideCutoff included: its message says to contact the clinic
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your booking is cancelled.")
        return redirect("booking_manage", token=token)
    return render(request, "bookings/manage/cancel.html", _page_context(request, booking))


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule(request: HtmxRequest, token: str) -> HttpResponse:
    booking = selectors.booking_by_token(token)
    context = _page_context(request, booking)
    if request.method == "POST":
        form = SlotForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Please pick a new time.")
            return redirect("booking_reschedule", token=token)
        if form.cleaned_data["slot"] == booking.starts_at:
            messages.info(request, "That is already your booking's time, so nothing changed.")
            return redirect("booking_manage", token=token)
        try:
            booking_reschedule(booking=booking, starts_at=form.cleaned_data["slot"], by=CancelledBy.PATIENT)
        except (SlotTaken, SlotUnavailable) as exc:
            messages.error(request, str(exc))
            return redirect("booking_reschedule", token=token)
        except BookingError as exc:
            messages.error(request, str(exc))
            return redirect("booking_manage", token=token)
        messages.success(request, "Your booking has moved to the new time.")
        return redirect("booking_manage", token=token)

    if not context["can_reschedule"]:
        return render(request, "bookings/manage/reschedule.html", context)
    new_start = parse_slot(request.GET.get("slot"))
    if new_start is not None:
        duration = booking.ends_at - booking.starts_at
        context.update(
            new_slot=request.GET["slot"], new_slot_text=when(new_start, new_start + duration, booking.clinic.zone)
        )
        return render(request, "bookings/manage/reschedule_confirm.html", context)
    path = reverse("booking_reschedule", args=[token])
    context["picker"] = build_slot_picker(
        request,
        service=booking.service,
        practitioner=booking.practitioner,
        params={},
        slot_url=lambda value: f"{path}?{urlencode({'slot': value}, safe=':')}",
        exclude_booking_id=booking.pk,
    )
    if request.htmx:
        return render(request, "bookings/_slot_picker.html", context)
    return render(request, "bookings/manage/reschedule.html", context)
