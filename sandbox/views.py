"""The sandbox's own pages: the control page a demo user steers the emulators from, and /sandbox/faults/."""

import json
from typing import cast

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import faults
from .emulation import json_response
from .forms import BusyBlockForm, FaultForm, ServiceForm
from .models import Account, GoogleBusyBlock, GoogleEvent, GraphEvent, GraphOnlineMeeting, ZoomMeeting

LATEST = 20


@require_http_methods(["GET", "POST"])
def control(request: HttpRequest) -> HttpResponse:
    fault_form, busy_form = FaultForm(prefix="fault"), BusyBlockForm(prefix="busy")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add_fault":
            fault_form = FaultForm(request.POST, prefix="fault")
            if fault_form.is_valid():
                messages.success(request, f"Fault added: {fault_form.save()}.")
                return HttpResponseRedirect(reverse("sandbox_control"))
        elif action == "add_busy":
            busy_form = BusyBlockForm(request.POST, prefix="busy")
            if busy_form.is_valid():
                busy_form.save()
                messages.success(request, "Busy time added.")
                return HttpResponseRedirect(reverse("sandbox_control"))
        else:
            _act(request, action)
            return HttpResponseRedirect(reverse("sandbox_control"))
    return render(request, "sandbox/control.html", _control_context(fault_form, busy_form))


def _act(request: HttpRequest, action: str) -> None:
    if action == "remove_fault":
        faults.remove(int(request.POST.get("fault_id") or 0))
        messages.success(request, "Fault removed.")
    elif action == "clear_faults":
        messages.success(request, f"{faults.clear()} fault(s) removed.")
    elif action in ("expire_tokens", "revoke_grants"):
        form = ServiceForm(request.POST)
        if form.is_valid():
            service = form.cleaned_data["service"]
            if action == "expire_tokens":
                messages.success(request, f"{faults.expire_access_tokens(service)} {service} access token(s) expired.")
            else:
                messages.success(request, f"{faults.revoke_grants(service)} {service} grant(s) revoked.")
    else:
        messages.error(request, "Unknown action.")


def _control_context(fault_form: FaultForm, busy_form: BusyBlockForm) -> dict:
    live_grants = Count("grants", filter=Q(grants__revoked_at__isnull=True))
    return {
        "fault_form": fault_form,
        "busy_form": busy_form,
        "faults": faults.active_faults(),
        "accounts": Account.objects.annotate(live_grants=live_grants),
        "google_events": GoogleEvent.objects.select_related("account")[:LATEST],
        "busy_blocks": GoogleBusyBlock.objects.select_related("account").order_by("-starts_at")[:LATEST],
        "zoom_meetings": ZoomMeeting.objects.select_related("account")[:LATEST],
        "graph_events": GraphEvent.objects.select_related("account")[:LATEST],
        "graph_meetings": GraphOnlineMeeting.objects.select_related("account")[:LATEST],
        "services": cast(forms.ChoiceField, ServiceForm.base_fields["service"]).choices,
    }


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def faults_api(request: HttpRequest) -> HttpResponse:
    """GET lists the active faults; POST {service, endpoint, mode, count, ...} adds one; DELETE clears them."""
    if request.method == "GET":
        return json_response(
            {
                "faults": [fault.as_dict() for fault in faults.active_faults()],
                "endpoints": faults.ENDPOINTS,
                "modes": faults.MODES,
            }
        )
    if request.method == "DELETE":
        return json_response({"cleared": faults.clear(request.GET.get("service") or None)})
    try:
        spec = json.loads(request.body or b"{}")
        if not isinstance(spec, dict):
            raise ValueError("The body must be a JSON object.")
        fault = faults.inject(
            spec.pop("service", ""), spec.pop("endpoint", ""), spec.pop("mode", ""), spec.pop("count", 1), **spec
        )
    except (ValueError, TypeError) as error:
        return json_response({"error": str(error)}, status=400)
    return json_response(fault.as_dict(), status=201)


@csrf_exempt
@require_http_methods(["DELETE"])
def fault_api(request: HttpRequest, fault_id: int) -> HttpResponse:
    if not faults.remove(fault_id):
        return json_response({"error": "No such fault."}, status=404)
    return json_response({"removed": fault_id})
