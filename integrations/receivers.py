"""Listen for a meeting provider telling us a credential was refused."""

import logging
from importlib import import_module
from typing import Any

from .models import Connection
from .selectors import active_connection, clinic_connection
from .tokens import connection_mark_needs_reconnect
from .vendors.registry import is_vendor, vendor

logger = logging.getLogger(__name__)


def connect_meeting_signals() -> None:
    try:
        signals = import_module("meetings.signals")
    except ImportError:
        return
    signal = getattr(signals, "provider_credentials_rejected", None)
    if signal is not None:
        signal.connect(on_provider_credentials_rejected, dispatch_uid="integrations.credentials_rejected")


def on_provider_credentials_rejected(sender: Any, **kwargs: Any) -> None:
    """Mark the connection the provider used as needing a reconnect."""
    provider = kwargs.get("provider") or kwargs.get("provider_key") or ""
    if not is_vendor(provider):
        return
    connection = _connection_used(provider, kwargs.get("clinic"), kwargs.get("practitioner"))
    if connection is None:
        return
    error = str(kwargs.get("error") or kwargs.get("message") or "The provider refused the credentials.")
    connection_mark_needs_reconnect(connection=connection, error=error)


def _connection_used(provider: str, clinic: Any, practitioner: Any) -> Connection | None:
    if practitioner is not None:
        connection = active_connection(practitioner=practitioner, provider=provider)
        if connection is not None:
            return connection
    if clinic is not None and vendor(provider).connects_clinics:
        return clinic_connection(clinic, provider=provider)
    return None
