"""Owners' pages under /c/<slug>/: API keys and webhook endpoints of their clinic."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinicpro.fields import mask
from clinicpro.tenancy import ClinicRequest, owner_only

from ..forms import ApiKeyForm, WebhookEndpointForm
from ..keys import api_key_create, api_key_revoke
from ..models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ..webhooks.services import (
    delivery_replay,
    endpoint_disable,
    endpoint_enable,
    endpoint_register,
    endpoint_secret_rotate,
)
from ..webhooks.ssrf import UnsafeEndpoint

DELIVERIES_SHOWN = 50
# The session names the endpoint whose new secret the next view of its page shows, once.
REVEAL_SECRET_SESSION_KEY = "api.webhooks.reveal_secret"


@owner_only
def api_keys(request: ClinicRequest) -> HttpResponse:
    """List the clinic's keys; a new key's secret is shown in this one answer and never again."""
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        new_key = api_key_create(
            clinic=request.clinic,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            audience=form.cleaned_data["audience"],
            created_by=request.user,
        )
        form = ApiKeyForm()
    return render(
        request,
        "api/keys.html",
        {"form": form, "new_key": new_key, "keys": ApiKey.objects.filter(clinic=request.clinic)},
    )


@owner_only
@require_POST
def api_key_revoke_view(request: ClinicRequest, key_id: int) -> HttpResponse:
    api_key = api_key_revoke(clinic=request.clinic, key_id=key_id)
    if api_key is None:
        raise Http404("No such key.")
    messages.success(request, f"Key {api_key.name} revoked: it no longer works.")
    return redirect("api_keys", clinic_slug=request.clinic.slug)


@owner_only
def webhooks(request: ClinicRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_register(
                clinic=request.clinic,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                created_by=request.user,
            )
        except UnsafeEndpoint as exc:
            form.add_error("url", str(exc))
        else:
            messages.success(request, "Endpoint added. Copy its signing secret below now: it is shown only this once.")
            request.session[REVEAL_SECRET_SESSION_KEY] = endpoint.pk
            return redirect("webhook_endpoint", clinic_slug=request.clinic.slug, endpoint_id=endpoint.pk)
    endpoints = WebhookEndpoint.objects.filter(clinic=request.clinic)
    return render(request, "api/webhooks.html", {"form": form, "endpoints": endpoints})


def _endpoint(request: ClinicRequest, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(clinic=request.clinic, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such endpoint.")
    return endpoint


@owner_only
def webhook_endpoint(request: ClinicRequest, endpoint_id: int) -> HttpResponse:
    """An endpoint, its secret (in full only right after it was made), and its latest deliveries and attempts."""
    endpoint = _endpoint(request, endpoint_id)
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("started_at", "id"))
    )[:DELIVERIES_SHOWN]
    reveal = request.session.pop(REVEAL_SECRET_SESSION_KEY, None) == endpoint.pk
    grace_ends = endpoint.previous_secret_expires_at
    context = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "new_secret": endpoint.secret if reveal else "",
        "secret_mask": mask(endpoint.secret),
        "previous_secret_signs_until": grace_ends if grace_ends and grace_ends > timezone.now() else None,
        "grace_hours": f"{settings.WEBHOOKS_SECRET_GRACE_HOURS:g}",
    }
    return render(request, "api/webhook_endpoint.html", context)


@owner_only
@require_POST
def webhook_endpoint_action(request: ClinicRequest, endpoint_id: int, action: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    if action == "enable":
        try:
            endpoint_enable(endpoint=endpoint)
        except UnsafeEndpoint as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Endpoint enabled. Replay the deliveries it missed below.")
    elif action == "disable":
        endpoint_disable(endpoint=endpoint)
        messages.success(request, "Endpoint disabled: nothing more is sent to it.")
    elif action == "rotate":
        endpoint_secret_rotate(endpoint=endpoint)
        request.session[REVEAL_SECRET_SESSION_KEY] = endpoint.pk
        messages.success(request, "New signing secret made. Copy it below now: it is shown only this once.")
    elif action == "delete":
        endpoint.delete()
        messages.success(request, "Endpoint removed.")
        return redirect("webhooks", clinic_slug=request.clinic.slug)
    else:
        raise Http404("No such action.")
    return redirect("webhook_endpoint", clinic_slug=request.clinic.slug, endpoint_id=endpoint.pk)


@owner_only
@require_POST
def webhook_replay(request: ClinicRequest, delivery_id: int) -> HttpResponse:
    delivery = WebhookDelivery.objects.filter(clinic=request.clinic, pk=delivery_id).select_related("endpoint").first()
    if delivery is None:
        raise Http404("No such delivery.")
    if not delivery.endpoint.is_active:
        messages.error(request, "Enable the endpoint first; a disabled endpoint is sent nothing.")
    else:
        delivery_replay(delivery=delivery)
        messages.success(request, f"Delivery {delivery.message_id} queued to be sent again.")
    return redirect("webhook_endpoint", clinic_slug=request.clinic.slug, endpoint_id=delivery.endpoint_id)
