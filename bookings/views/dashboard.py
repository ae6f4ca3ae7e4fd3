"""Practitioner and staff dashboards under /c/<slug>/: every read goes through request.clinic."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinicpro.tenancy import ClinicRequest, clinic_view

from .. import hooks, ics, selectors
from ..errors import BookingError, SlotTaken
from ..formatting import when, zone_label
from ..forms import BookingFilterForm, DeclineForm, ReasonForm, SlotForm, parse_slot
from ..models import Booking, BookingStatus, CancelledBy
from ..overlap import overlapping_active_bookings
from ..services import (
    booking_approve,
    booking_cancel,
    booking_complete,
    booking_decline,
    booking_mark_no_show,
    booking_mark_paid,
    booking_reschedule,
)
from ..table_rows import RowPaginator, booking_rows
from .slot_picker import build_slot_picker

PAGE_SIZE = 25


@clinic_view()
def dashboard(request: ClinicRequest) -> HttpResponse:
    """Today, the coming days and what waits for approval: a practitioner's own unless they ask for all."""
    clinic = request.clinic
    own = selectors.clinic_practitioner_of(request.membership)
    show_all = own is None or request.GET.get("who") == "all"
    lists = selectors.dashboard_lists(clinic, None if show_all else own)
    return render(
        request,
        "bookings/dashboard/home.html",
        {
            "banners": hooks.dashboard_banners(request),
            "lists": lists,
            "own_practitioner": own,
            "show_all": show_all,
            "feed_url": request.build_absolute_uri(reverse("practitioner_feed", args=[own.feed_token])) if own else "",
            "zone_label": zone_label(clinic.zone),
            "today": selectors.clinic_today(clinic),
        },
    )


@clinic_view()
def booking_list(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    form = BookingFilterForm(request.GET or None, clinic=clinic)
    bookings = selectors.search_bookings(clinic, form.filters())
    page = RowPaginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bookings/dashboard/bookings.html",
        {
            "form": form,
            "page": page,
            "rows": booking_rows(page.object_list, clinic),
            "query": query.urlencode(),
            "zone_label": zone_label(clinic.zone),
        },
    )


@clinic_view()
def booking_detail(request: ClinicRequest, booking_id: int) -> HttpResponse:
    booking = selectors.clinic_booking(request.clinic, booking_id)
    return render(
        request,
        "bookings/dashboard/booking.html",
        {
            "booking": booking,
            "panels": hooks.dashboard_panels(request, booking),
            "zone_label": zone_label(booking.clinic.zone, booking.starts_at),
            "patient_booking_count": selectors.patient_bookings(request.clinic, booking.patient).count(),
            "manage_url": request.build_absolute_uri(reverse("booking_manage", args=[booking.token])),
            "has_started": booking.starts_at <= timezone.now(),
            "lapsed_and_taken": booking.status == BookingStatus.EXPIRED
            and overlapping_active_bookings(booking.practitioner, booking.blocked_from, booking.blocked_until).exists(),
            "rebook_url": reverse("book", args=[booking.clinic.slug])
            + "?"
            + urlencode({"service": booking.service_id, "practitioner": booking.practitioner_id}),
        },
    )


def _cancel_for_patient(*, booking: Booking, reason: str = "") -> Booking:
    return booking_cancel(booking=booking, by=CancelledBy.CLINIC, reason=reason)


def _approve(*, booking: Booking, reason: str = "") -> Booking:
    return booking_approve(booking=booking)


def _complete(*, booking: Booking, reason: str = "") -> Booking:
    return booking_complete(booking=booking)


def _no_show(*, booking: Booking, reason: str = "") -> Booking:
    return booking_mark_no_show(booking=booking)


def _record_payment(*, booking: Booking, reason: str = "") -> Booking:
    # Payment taken outside ClinicPro (cash, a till, a transfer) confirms the booking like an M-Pesa callback.
    try:
        return booking_mark_paid(booking=booking)
    except SlotTaken:
        # The patient-facing "just taken" would mislead staff: say what happened and what to do.
        raise BookingError(LAPSED_AND_TAKEN) from None


LAPSED_AND_TAKEN = (
    "Nothing was recorded: the payment hold lapsed and someone else has booked this time since. "
    "Book the patient at another free time, then record the payment on that booking (or refund it)."
)


ACTIONS: dict[str, tuple[Callable[..., Booking], str]] = {
    "approve": (_approve, "Booking approved."),
    "cancel": (_cancel_for_patient, "Booking cancelled."),
    "complete": (_complete, "Marked as completed."),
    "no-show": (_no_show, "Marked as a no-show."),
    "record-payment": (_record_payment, "Payment recorded: the booking is confirmed."),
}


@clinic_view()
@require_POST
def booking_action(request: ClinicRequest, booking_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    booking = selectors.clinic_booking(request.clinic, booking_id)
    service_call, done_message = ACTIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service_call(booking=booking, reason=reason)
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message)
    return _back(request, booking)


def _back(request: ClinicRequest, booking: Booking) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("clinic_booking", clinic_slug=request.clinic.slug, booking_id=booking.pk)


@clinic_view()
def booking_decline_view(request: ClinicRequest, booking_id: int) -> HttpResponse:
    """Declining is final and the patient reads the reason: ask for one, on a page of its own."""
    booking = selectors.clinic_booking(request.clinic, booking_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_decline(booking=booking, reason=form.cleaned_data["reason"])
        except BookingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Booking declined; the patient sees your reason on their booking page.")
        return redirect("clinic_booking", clinic_slug=request.clinic.slug, booking_id=booking.pk)
    return render(
        request,
        "bookings/dashboard/decline_confirm.html",
        {"booking": booking, "form": form, "zone_label": zone_label(booking.clinic.zone, booking.starts_at)},
        status=400 if form.errors else 200,
    )


@clinic_view()
def booking_reschedule_view(request: ClinicRequest, booking_id: int) -> HttpResponse:
    """Move a booking on the patient's behalf: the clinic is not bound by the patient's cutoff."""
    booking = selectors.clinic_booking(request.clinic, booking_id)
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid() and form.cleaned_data["slot"] == booking.starts_at:
            messages.info(request, "That is already the booking's time, so nothing changed.")
            return redirect("clinic_booking", clinic_slug=request.clinic.slug, booking_id=booking.pk)
        if form.is_valid():
            try:
                booking_reschedule(booking=booking, starts_at=form.cleaned_data["slot"])
            except BookingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Booking moved; the patient's calendar link now shows the new time.")
                return redirect("clinic_booking", clinic_slug=request.clinic.slug, booking_id=booking.pk)
    path = reverse("clinic_booking_reschedule", args=[request.clinic.slug, booking.pk])
    context: dict[str, Any] = {"booking": booking, "zone_label": zone_label(booking.clinic.zone, booking.starts_at)}
    new_start = parse_slot(request.GET.get("slot"))
    if new_start is not None:
        context.update(
            new_slot=request.GET["slot"],
            new_slot_text=when(new_start, new_start + (booking.ends_at - booking.starts_at), booking.clinic.zone),
        )
        return render(request, "bookings/dashboard/reschedule_confirm.html", context)
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
    return render(request, "bookings/dashboard/reschedule.html", context)


@clinic_view()
def patient_history(request: ClinicRequest, patient_id: int) -> HttpResponse:
    patient = selectors.clinic_patient(request.clinic, patient_id)
    bookings = selectors.patient_bookings(request.clinic, patient)
    page = RowPaginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookings/dashboard/patient.html",
        {
            "patient": patient,
            "page": page,
            "rows": booking_rows(page.object_list, request.clinic),
            "query": "",
            "zone_label": zone_label(request.clinic.zone),
        },
    )


@clinic_view()
@require_POST
def feed_regenerate(request: ClinicRequest) -> HttpResponse:
    own = selectors.clinic_practitioner_of(request.membership)
    if own is None:
        raise Http404("Only practitioners have a calendar feed.")
    ics.practitioner_feed_token_regenerate(practitioner=own)
    messages.success(request, "New calendar feed address created; the old one no longer works.")
    return redirect("clinic_dashboard", clinic_slug=request.clinic.slug)
