"""Owners replace a booking's meeting (the old one is deleted at the provider); the reason is audited."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bookings.selectors import clinic_booking
from clinicpro.tenancy import ClinicRequest, owner_only

from ..forms import RegenerateMeetingForm
from ..services import MeetingError, meeting_regenerate


@owner_only
@require_POST
def regenerate(request: ClinicRequest, booking_id: int) -> HttpResponse:
    booking = clinic_booking(request.clinic, booking_id)
    form = RegenerateMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Please say why the meeting should be made again; the reason is kept in the audit trail."
        )
        return _back(request, booking.pk)
    try:
        meeting_regenerate(booking_id=booking.pk, actor=f"user:{request.user.pk}", reason=form.cleaned_data["reason"])
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "A new meeting is being made. The join links already sent keep working.")
    return _back(request, booking.pk)


def _back(request: ClinicRequest, booking_id: int) -> HttpResponse:
    return redirect("clinic_booking", clinic_slug=request.clinic.slug, booking_id=booking_id)
