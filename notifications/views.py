"""Delivery reports and replies from the gateways, unsubscribe links, and staff resending a message."""

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinicpro.models import Clinic
from clinicpro.tenancy import clinic_view

from .models import ClinicMessaging, Message, OptOut
from .reports import delivery_report_apply, inbound_text_apply
from .senders.africastalking import reports as at_reports
from .senders.twilio import reports as twilio_reports
from .senders.twilio.signature import is_valid_signature
from .services import message_resend
from .unsubscribe import read_unsubscribe_token


def _messaging(report_secret: str) -> ClinicMessaging:
    # The secret in the URL is what tells a genuine report from a forged one (Africa's Talking signs nothing).
    config = ClinicMessaging.objects.select_related("clinic").filter(report_secret=report_secret).first()
    if config is None:
        raise Http404("No such report address.")
    return config


@csrf_exempt
@require_POST
def africastalking_report(request: HttpRequest, report_secret: str) -> HttpResponse:
    config = _messaging(report_secret)
    external_id, vendor_status = request.POST.get("id", ""), request.POST.get("status", "")
    status = at_reports.our_status(vendor_status)
    if not external_id or status is None:
        return HttpResponseBadRequest("A delivery report needs an id and a known status.")
    delivery_report_apply(
        clinic=config.clinic,
        vendor="africastalking",
        external_id=external_id,
        status=status,
        error=request.POST.get("failureReason", ""),
        number=request.POST.get("phoneNumber", ""),
        payload=request.POST.dict(),
    )
    return HttpResponse("OK")


@csrf_exempt
@require_POST
def africastalking_inbound(request: HttpRequest, report_secret: str) -> HttpResponse:
    config = _messaging(report_secret)
    sender = request.POST.get("from", "")
    if not sender:
        return HttpResponseBadRequest("An incoming message needs a sender.")
    inbound_text_apply(
        clinic=config.clinic,
        vendor="africastalking",
        sender=sender,
        text=request.POST.get("text", ""),
        payload=request.POST.dict(),
    )
    return HttpResponse("OK")


def _twilio_signed(request: HttpRequest, config: ClinicMessaging) -> bool:
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    url = request.build_absolute_uri()
    return is_valid_signature(config.twilio_auth_token, url, params, request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@require_POST
def twilio_report(request: HttpRequest, report_secret: str) -> HttpResponse:
    config = _messaging(report_secret)
    if not _twilio_signed(request, config):
        return HttpResponseForbidden("Invalid X-Twilio-Signature.")
    sid, status = request.POST.get("MessageSid", ""), twilio_reports.our_status(request.POST.get("MessageStatus", ""))
    if not sid or status is None:
        return HttpResponseBadRequest("A status callback needs MessageSid and a known MessageStatus.")
    code = request.POST.get("ErrorCode", "")
    delivery_report_apply(
        clinic=config.clinic,
        vendor="twilio",
        external_id=sid,
        status=status,
        error=f"Twilio reported error {code}." if code else "",
        number=request.POST.get("To", ""),
        payload=request.POST.dict(),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest, report_secret: str) -> HttpResponse:
    config = _messaging(report_secret)
    if not _twilio_signed(request, config):
        return HttpResponseForbidden("Invalid X-Twilio-Signature.")
    inbound_text_apply(
        clinic=config.clinic,
        vendor="twilio",
        sender=request.POST.get("From", ""),
        text=request.POST.get("Body", ""),
        payload=request.POST.dict(),
    )
    # An empty TwiML answer: Twilio itself confirms STOP to the sender.
    return HttpResponse("<Response/>", content_type="text/xml")


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = read_unsubscribe_token(token)
    if target is None:
        raise Http404("This link is not valid.")
    clinic_id, channel, address = target
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    done = False
    if request.method == "POST":
        OptOut.objects.get_or_create(clinic=clinic, channel=channel, address=address, defaults={"source": "link"})
        done = True
    return render(request, "notifications/unsubscribe.html", {"clinic": clinic, "address": address, "done": done})


@require_POST
@clinic_view()
def resend(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=message_id, clinic=request.clinic)  # type: ignore[attr-defined]
    message_resend(message=message)
    flash.success(request, f"{message.get_kind_display()} queued again for {message.to}.")
    if message.booking_id:
        return redirect("clinic_booking", request.clinic.slug, message.booking_id)  # type: ignore[attr-defined]
    return redirect("clinic_dashboard", request.clinic.slug)  # type: ignore[attr-defined]
