"""Which provider makes a booking's meeting, and which one steps in when it fails."""

from bookings.models import Booking
from clinicpro.models import Clinic

from .models import settings_for
from .providers.base import MeetingProvider, MeetingProviderError
from .registry import DEFAULT_PROVIDER, PROVIDERS, provider_class, provider_label


def provider_key_for(booking: Booking) -> str:
    """The service's own platform if it names one, else the clinic's default."""
    platform = booking.service.meeting_platform
    if platform and platform in PROVIDERS:
        return platform
    return settings_for(booking.clinic).default_provider or DEFAULT_PROVIDER


def fallback_keys_for(booking: Booking, *, tried: set[str]) -> list[str]:
    """Providers to try, in order, once the chosen one has failed for good."""
    return fallback_keys(booking.clinic, tried=tried)


def fallback_keys(clinic: Clinic, *, tried: set[str]) -> list[str]:
    """The clinic's fallback first, then the self-hosted rooms, which need no
    account and cannot be rate limited; never one that already failed.
    """
    candidates = [settings_for(clinic).fallback_provider or DEFAULT_PROVIDER, DEFAULT_PROVIDER]
    ordered: list[str] = []
    for key in candidates:
        if key in PROVIDERS and key not in tried and key not in ordered:
            ordered.append(key)
    return ordered


def provider_for(booking: Booking, key: str) -> MeetingProvider:
    """The provider for this booking's clinic and practitioner.

    A provider that is unknown or not installed is a permanent failure, so the
    caller falls back instead of retrying.
    """
    try:
        cls = provider_class(key)
    except (KeyError, ImportError, AttributeError):
        raise MeetingProviderError(f"{provider_label(key)} is not available on this server.", permanent=True) from None
    return cls(clinic=booking.clinic, practitioner=booking.practitioner)
