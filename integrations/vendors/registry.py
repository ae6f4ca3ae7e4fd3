"""The one list of external services: key -> dotted path of the vendor's descriptor, imported lazily.

A vendor's package may live in any app (meetings/providers/google/, payments/daraja/,
notifications/...); adding one is its package, its emulator and one line here.
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from .base import Vendor

VENDORS: dict[str, str] = {
    "google": "meetings.providers.google.vendor.GOOGLE",
    "zoom": "meetings.providers.zoom.vendor.ZOOM",
    "microsoft": "meetings.providers.microsoft.vendor.MICROSOFT",
    "daraja": "payments.daraja.vendor.DARAJA",
    "africastalking": "notifications.senders.africastalking.vendor.AFRICASTALKING",
    "twilio": "notifications.senders.twilio.vendor.TWILIO",
}


class UnknownVendor(KeyError):
    pass


def vendor(key: str) -> Vendor:
    """The descriptor registered under `key`; UnknownVendor for a key nobody registered."""
    try:
        dotted = VENDORS[key]
    except KeyError:
        raise UnknownVendor(key) from None
    found = import_dotted(dotted)
    if not isinstance(found, Vendor) or found.key != key:
        raise TypeError(f"{dotted} is not the Vendor descriptor of {key!r}.")
    return found


def vendors() -> list[Vendor]:
    """Every registered vendor, in registry order."""
    return [vendor(key) for key in VENDORS]


def vendors_where(test: Callable[[Vendor], bool]) -> list[Vendor]:
    return [candidate for candidate in vendors() if test(candidate)]


def is_vendor(key: str) -> bool:
    return key in VENDORS


def label(key: str) -> str:
    return vendor(key).label if is_vendor(key) else key


@cache
def import_dotted(dotted: str) -> Any:
    """`package.module.NAME` imported on first use, so listing a vendor costs nothing at start-up."""
    module_path, name = dotted.rsplit(".", 1)
    return getattr(import_module(module_path), name)
