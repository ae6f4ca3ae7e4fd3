"""A practitioner's own profile, weekly working hours and time off."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinicpro.models import Role
from clinicpro.tenancy import ClinicRequest, clinic_view

from .. import selectors
from ..formatting import zone_label
from ..forms import PractitionerProfileForm, TimeOffForm, WorkingHoursFormSet
from ..models import AvailabilityException, Practitioner, WorkingHours
from ..services import practitioner_for_member


def _own_practitioner(request: ClinicRequest) -> Practitioner:
    own = selectors.clinic_practitioner_of(request.membership)
    if own is None and request.membership.role == Role.PRACTITIONER:
        own = practitioner_for_member(membership=request.membership)
    if own is None:
        raise Http404("Only practitioners have working hours.")
    return own


@clinic_view()
def availability(request: ClinicRequest) -> HttpResponse:
    own = _own_practitioner(request)
    hours = WorkingHours.objects.filter(practitioner=own)
    formset = WorkingHoursFormSet(
        request.POST if "save_hours" in request.POST else None, queryset=hours, prefix="hours"
    )
    time_off_form = TimeOffForm(request.POST if "add_time_off" in request.POST else None, prefix="off")
    # Its own copy: an invalid form leaves its input on the instance, and the page still reads `own`.
    profile_form = PractitionerProfileForm(
        request.POST if "save_profile" in request.POST else None,
        instance=Practitioner.objects.get(pk=own.pk),
        prefix="profile",
    )
    if profile_form.is_bound and profile_form.is_valid():
        profile_form.save()
        messages.success(request, "Profile saved.")
        return redirect("clinic_availability", clinic_slug=request.clinic.slug)
    if formset.is_bound and formset.is_valid():
        with transaction.atomic():
            for row in formset.save(commit=False):
                row.practitioner = own
                row.save()
            for row in formset.deleted_objects:
                row.delete()
        messages.success(request, "Working hours saved.")
        return redirect("clinic_availability", clinic_slug=request.clinic.slug)
    if time_off_form.is_bound and time_off_form.is_valid():
        exception = time_off_form.save(commit=False)
        exception.practitioner = own
        exception.save()
        messages.success(request, "Saved.")
        return redirect("clinic_availability", clinic_slug=request.clinic.slug)
    today = timezone.now().astimezone(own.zone).date()
    return render(
        request,
        "bookings/availability/edit.html",
        {
            "practitioner": own,
            "formset": formset,
            "time_off_form": time_off_form,
            "profile_form": profile_form,
            "exceptions": AvailabilityException.objects.filter(practitioner=own, date__gte=today),
            "zone_label": zone_label(own.zone),
        },
    )


@clinic_view()
@require_POST
def time_off_delete(request: ClinicRequest, exception_id: int) -> HttpResponse:
    own = _own_practitioner(request)
    deleted, _ = AvailabilityException.objects.filter(practitioner=own, pk=exception_id).delete()
    if not deleted:
        raise Http404("No such date.")
    messages.success(request, "Removed.")
    return redirect("clinic_availability", clinic_slug=request.clinic.slug)
