"""/c/<slug>/settings/meetings/: the clinic's meeting providers and room server, for owners."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from clinicpro.fields import mask
from clinicpro.tenancy import ClinicRequest, owner_only

from ..forms import MeetingSettingsForm
from ..models import settings_for
from ..providers.selfhosted import links_fingerprint
from ..services import meeting_links_renew_intent


@owner_only
def meeting_settings(request: ClinicRequest) -> HttpResponse:
    config = settings_for(request.clinic)
    # Read before the form binds: validating a ModelForm writes the typed values onto the instance.
    stored_secret = {"is_set": bool(config.jitsi_app_secret), "mask": mask(config.jitsi_app_secret)}
    # Without both halves the room server cannot tell the host's link from the patient's.
    rooms_are_open = not config.uses_jwt
    links_made_from = links_fingerprint(config)
    form = MeetingSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # Links already sent carry the old server, credential or window: renew them in the same rooms.
            changed = links_fingerprint(saved) != links_made_from
            renewing = meeting_links_renew_intent(request.clinic) if changed else 0
        messages.success(request, "Meeting settings saved. New meetings use them." + _renewal_note(renewing))
        return redirect("clinic_meeting_settings", clinic_slug=request.clinic.slug)
    return render(
        request,
        "meetings/settings.html",
        {"form": form, "stored_secret": stored_secret, "rooms_are_open": rooms_are_open},
    )


def _renewal_note(renewing: int) -> str:
    # The due pass does the renewing, within seconds: say it is under way, not done.
    if not renewing:
        return ""
    rooms = f"{renewing} coming ClinicPro room{'s' if renewing != 1 else ''}"
    return f" The links of {rooms} are being renewed with them; their /j/ links stay the same."
