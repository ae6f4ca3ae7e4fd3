"""Fault scripts for the Daraja emulator.

API endpoints ("oauth", "stkpush", "stkquery", "c2b.register", "c2b.simulate") take the modes:
    "500"            Daraja's internal-error body (500.002.1001)
    "spike"          500.003.02 spike arrest
    "invalid_token"  404.001.03, as when a newer token replaced the one used
    "delay"          answer after `delay_seconds`

The "callback" endpoint shapes the next STK callbacks:
    "result"     the phone answers `result_code` (0, 1, 1032, 1037, 2001, ...) at once
    "duplicate"  deliver `copies` callbacks (all at once with concurrent=True)
    "delay"      deliver after `delay_seconds`
    "drop"       never deliver (STK Query still knows the result)

    inject("callback", "result", result_code="1032")
    inject("callback", "duplicate", copies=20, concurrent=True)
"""

from typing import Any

from django.db import transaction
from django.db.models import F, Q

from .models import DarajaFault

API_ENDPOINTS = ("oauth", "stkpush", "stkquery", "c2b.register", "c2b.simulate")
API_MODES = ("500", "spike", "invalid_token", "delay")
CALLBACK_MODES = ("result", "duplicate", "delay", "drop")


def inject(endpoint: str, mode: str, count: int | None = 1, **options: Any) -> DarajaFault:
    if endpoint == "callback":
        if mode not in CALLBACK_MODES:
            raise ValueError(f"Unknown callback mode {mode!r}; one of {', '.join(CALLBACK_MODES)}.")
    elif endpoint not in API_ENDPOINTS or mode not in API_MODES:
        raise ValueError(f"Unknown Daraja fault {endpoint!r}/{mode!r}.")
    return DarajaFault.objects.create(endpoint=endpoint, mode=mode, remaining=count, **options)


def clear() -> int:
    return DarajaFault.objects.all().delete()[0]


def take(endpoint: str, modes: tuple[str, ...] | None = None) -> DarajaFault | None:
    with transaction.atomic():
        faults = DarajaFault.objects.select_for_update().filter(
            Q(remaining__isnull=True) | Q(remaining__gt=0), endpoint=endpoint
        )
        if modes:
            faults = faults.filter(mode__in=modes)
        fault = faults.order_by("id").first()
        if fault is None:
            return None
        changes: dict[str, Any] = {"hits": F("hits") + 1}
        if fault.remaining is not None:
            changes["remaining"] = F("remaining") - 1
        DarajaFault.objects.filter(pk=fault.pk).update(**changes)
    return fault
