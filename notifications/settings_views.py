"""/c/<slug>/settings/messages/: which channels the clinic uses and how texts are sent, for owners."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinicpro.fields import mask
from clinicpro.tenancy import owner_only

from .forms import SECRETS, MessagingSettingsForm
from .recipients import messaging_for


@owner_only
def messaging_settings(request: HttpRequest) -> HttpResponse:
    config = messaging_for(request.clinic)  # type: ignore[attr-defined]
    stored = {name: {"is_set": bool(getattr(config, name)), "mask": mask(getattr(config, name))} for name in SECRETS}
    form = MessagingSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Messaging settings saved. New messages use them from now on.")
        return redirect("notifications_settings", clinic_slug=request.clinic.slug)  # type: ignore[attr-defined]
    report_urls = {
        "africastalking": request.build_absolute_uri(
            reverse("notifications_africastalking_report", args=[config.report_secret])
        ),
        "africastalking_inbound": request.build_absolute_uri(
            reverse("notifications_africastalking_inbound", args=[config.report_secret])
        ),
        "twilio_inbound": request.build_absolute_uri(
            reverse("notifications_twilio_inbound", args=[config.report_secret])
        ),
    }
    return render(request, "notifications/settings.html", {"form": form, "stored": stored, "report_urls": report_urls})
