"""Demo notes for integrations: nothing is connected in advance.

Practitioners connect Google, Zoom and Microsoft themselves through the
sandbox's approve pages, exactly as they would at the real providers.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from .vendors.registry import is_vendor, label


def seed(context: dict[str, Any]) -> dict[str, Any]:
    lines = context["lines"]
    page = settings.SITE_URL + reverse("integrations:page")
    practitioners = context.get("practitioner_users") or []
    who = practitioners[0].email if practitioners else "a practitioner"
    enabled = " / ".join(label(key) for key in settings.INTEGRATIONS_PROVIDERS if is_vendor(key))
    if not enabled:
        return context
    lines["integrations"] += [f"Connect {enabled}: sign in as {who} and open {page}"]
    if settings.INTEGRATIONS_USE_SANDBOX:
        lines["integrations"] += [
            "The sandbox shows an approve page for each provider: choose any email address and press Allow.",
            "Owners can also connect Zoom for the whole clinic there (any account ID, client ID and secret).",
        ]
    return context
