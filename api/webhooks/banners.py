"""Owners see a banner on the dashboard when one of their webhook endpoints was disabled."""

from django.http import HttpRequest
from django.urls import reverse

from bookings import hooks

from ..models import WebhookEndpoint


@hooks.register_dashboard_banner
def disabled_endpoint_banners(request: HttpRequest) -> list[str]:
    membership = getattr(request, "membership", None)
    clinic = getattr(request, "clinic", None)
    if membership is None or clinic is None or not membership.is_owner:
        return []
    url = reverse("webhooks", args=[clinic.slug])
    return [
        f"Webhooks to {endpoint.url} are switched off: {endpoint.disabled_reason} "
        f"Fix the receiver, then enable it again and replay what it missed under Webhooks ({url})."
        for endpoint in WebhookEndpoint.objects.filter(clinic=clinic, is_active=False, disabled_at__isnull=False)
    ]
