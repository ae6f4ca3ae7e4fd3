"""Listen for a meeting provider telling us a credential was refused."""

import logging
from importlib import import_module
from typing import Any

from .endpoints import PROVIDER_FOR_PLATFORM, PROVIDERS
from .models import Connection
from .selectors import active_connection, clinic_zoom_connection
from .tokens import connection_mark_needs_reconnect

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
    key = kwargs.get("provider") or kwargs.get("provider_key") or ""
    provider = PROVIDER_FOR_PLATFORM.get(key, key)
    if provider not in PROVIDERS:
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
    if provider == "zoom" and clinic is not None:
        return clinic_zoom_connection(clinic)
    return None
