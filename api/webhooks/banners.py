"""Owners see a banner on the dashboard when one of their webhook endpoints was disabled."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from bookings import hooks

from ..models import WebhookEndpoint


def _disabled_endpoints(request: HttpRequest) -> QuerySet[WebhookEndpoint] | None:
    """The clinic's endpoints switched off after failing, if this member is an owner (None otherwise)."""
    membership = getattr(request, "membership", None)
    clinic = getattr(request, "clinic", None)
    if membership is None or clinic is None or not membership.is_owner:
        return None
    return WebhookEndpoint.objects.filter(clinic=clinic, is_active=False, disabled_at__isnull=False)


def disabled_endpoint_candidates(request: HttpRequest) -> list[QuerySet[Any]]:
    endpoints = _disabled_endpoints(request)
    return [] if endpoints is None else [endpoints]


@hooks.register_dashboard_banner(candidates=disabled_endpoint_candidates)
def disabled_endpoint_banners(request: HttpRequest) -> list[str]:
    endpoints = _disabled_endpoints(request)
    if endpoints is None:
        return []
    url = reverse("webhooks", args=[request.clinic.slug])  # type: ignore[attr-defined]
    return [
        f"Webhooks to {endpoint.url} are switched off: {endpoint.disabled_reason} "
        f"Fix the receiver, then enable it again and replay what it missed under Webhooks ({url})."
        for endpoint in endpoints
    ]
