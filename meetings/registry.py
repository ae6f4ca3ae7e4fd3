"""The meeting providers: ClinicPro's own rooms, plus every registered vendor that names one.

Vendors offering meetings are listed once, in `integrations.vendors.registry`; their
descriptor's `meeting_provider` (a dotted path) is imported only when used. Rooms that
need no vendor are listed here.
"""

from collections.abc import Iterator, Mapping
from importlib import import_module

from integrations.vendors.registry import vendors_where

from .providers.base import MeetingProvider

# Providers that call no vendor: key -> (label, dotted path).
OWN_PROVIDERS: dict[str, tuple[str, str]] = {
    "selfhosted": ("ClinicPro room (Jitsi)", "meetings.providers.selfhosted.SelfHostedProvider"),
}

DEFAULT_PROVIDER = "selfhosted"


def _all_providers() -> dict[str, tuple[str, str]]:
    from_vendors = {
        vendor.key: (vendor.meeting_label or vendor.label, vendor.meeting_provider)
        for vendor in vendors_where(lambda vendor: bool(vendor.meeting_provider))
    }
    return {**OWN_PROVIDERS, **from_vendors}


class _Providers(Mapping[str, tuple[str, str]]):
    """key -> (label, dotted path), read from the registries each time so a new vendor shows at once."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        return _all_providers()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_all_providers())

    def __len__(self) -> int:
        return len(_all_providers())


PROVIDERS: Mapping[str, tuple[str, str]] = _Providers()


def provider_choices() -> list[tuple[str, str]]:
    """(key, label) pairs for model and form fields (a callable, so a new vendor needs no migration)."""
    return [(key, label) for key, (label, _path) in _all_providers().items()]


PROVIDER_CHOICES = provider_choices


def provider_class(key: str) -> type[MeetingProvider]:
    try:
        _label, dotted = PROVIDERS[key]
    except KeyError:
        raise KeyError(f"Unknown meeting provider {key!r}.") from None
    module_path, class_name = dotted.rsplit(".", 1)
    provider: type[MeetingProvider] = getattr(import_module(module_path), class_name)
    return provider


def provider_label(key: str) -> str:
    return PROVIDERS.get(key, (key, ""))[0]
