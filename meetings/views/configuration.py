"""/c/<slug>/settings/meetings/: the clinic's meeting providers and room server, for owners."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from clinicpro.fields import mask
from clinicpro.tenancy import ClinicRequest, owner_only

from ..forms import MeetingSettingsForm
from ..models import settings_for


@owner_only
def meeting_settings(request: ClinicRequest) -> HttpResponse:
    config = settings_for(request.clinic)
    # Read before the form binds: validating a ModelForm writes the typed values onto the instance.
    stored_secret = {"is_set": bool(config.jitsi_app_secret), "mask": mask(config.jitsi_app_secret)}
    # Without both halves the room server cannot tell the host's link from the patient's.
    rooms_are_open = not config.uses_jwt
    form = MeetingSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Meeting settings saved. New meetings use them from now on.")
        return redirect("clinic_meeting_settings", clinic_slug=request.clinic.slug)
    return render(
        request,
        "meetings/settings.html",
        {"form": form, "stored_secret": stored_secret, "rooms_are_open": rooms_are_open},
    )
