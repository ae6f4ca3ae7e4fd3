"""Our side of a vendor's OAuth setup: the callback URL registered there."""

from django.conf import settings
from django.urls import reverse


def redirect_uri(vendor_key: str) -> str:
    """Our callback, absolute: registered at the vendor, so built from SITE_URL, not the request."""
    return settings.SITE_URL + reverse("integrations:callback", args=[vendor_key])
