"""A week of days and the free times on the chosen one, shared by booking and rescheduling pages."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone

from ..availability import Slot, search_slots
from ..formatting import day_label, zone_label
from ..forms import parse_day, slot_value
from ..models import Practitioner, Service

DAYS_SHOWN = 7


@dataclass
class DayChoice:
    day: date
    label: str
    url: str
    slot_count: int
    chosen: bool = False


@dataclass
class SlotChoice:
    slot: Slot
    value: str
    label: str
    url: str


@dataclass
class SlotPicker:
    days: list[DayChoice]
    chosen_day: date | None
    slots: list[SlotChoice]
    zone_label: str
    earlier_url: str = ""
    later_url: str = ""
    warnings: list[str] = field(default_factory=list)

    def slots_on(self, day: date | None) -> list[SlotChoice]:
        return self.slots if day == self.chosen_day else []


def _url(path: str, params: dict[str, Any]) -> str:
    return f"{path}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


def build_slot_picker(
    request: HttpRequest,
    *,
    service: Service,
    practitioner: Practitioner,
    params: dict[str, Any],
    slot_url: Callable[[str], str],
    exclude_booking_id: int | None = None,
    now: datetime | None = None,
) -> SlotPicker:
    """Days from `?from=` (default today), the free times of `?day=` (default the first day with any).

    `params` are carried in every day link; `slot_url` turns a slot's value into the link that picks it.
    """
    now = now or timezone.now()
    clinic_zone = service.clinic.zone
    today = now.astimezone(clinic_zone).date()
    last_day = today + timedelta(days=service.horizon_days)
    first = max(parse_day(request.GET.get("from")) or today, today)
    first = min(first, last_day)
    shown = [first + timedelta(days=n) for n in range(DAYS_SHOWN) if first + timedelta(days=n) <= last_day]

    search = search_slots(
        service=service,
        practitioner=practitioner,
        start=shown[0] - timedelta(days=1),
        end=shown[-1] + timedelta(days=1),
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    # Grouped by the clinic's calendar day, the zone the patient is shown.
    by_day: dict[date, list[Slot]] = {}
    for slot in search.slots:
        by_day.setdefault(slot.starts_at.astimezone(clinic_zone).date(), []).append(slot)

    requested = parse_day(request.GET.get("day"))
    chosen = requested if requested in shown else next((d for d in shown if by_day.get(d)), None)
    page = {**params, "from": first.isoformat()}
    path = request.path
    days = [
        DayChoice(
            day=d,
            label=day_label(d),
            url=_url(path, {**page, "day": d.isoformat()}),
            slot_count=len(by_day.get(d, [])),
            chosen=d == chosen,
        )
        for d in shown
    ]
    slots = [
        SlotChoice(
            slot=slot,
            value=slot_value(slot.starts_at),
            label=f"{slot.starts_at.astimezone(clinic_zone):%H:%M}",
            url=slot_url(slot_value(slot.starts_at)),
        )
        for slot in (by_day.get(chosen, []) if chosen else [])
    ]
    earlier = max(first - timedelta(days=DAYS_SHOWN), today)
    later = first + timedelta(days=DAYS_SHOWN)
    return SlotPicker(
        days=days,
        chosen_day=chosen,
        slots=slots,
        zone_label=zone_label(clinic_zone, now),
        earlier_url=_url(path, {**params, "from": earlier.isoformat()}) if first > today else "",
        later_url=_url(path, {**params, "from": later.isoformat()}) if later <= last_day else "",
        warnings=search.warnings,
    )


# When the picked day has nothing left, the next days are searched this far ahead.
NEAR_LOOKAHEAD_DAYS = 7


def slots_near(
    *, service: Service, practitioner: Practitioner, moment: datetime, exclude_booking_id: int | None = None
) -> list[SlotChoice]:
    """Free times offered when the slot someone picked was just taken.

    The same day's when it has any left; else the next day that has some, with the day in each
    label, so a patient who loses the last time of a day still has somewhere to go.
    """
    zone = service.clinic.zone
    day = moment.astimezone(zone).date()
    search = search_slots(
        service=service,
        practitioner=practitioner,
        start=day,
        end=day + timedelta(days=NEAR_LOOKAHEAD_DAYS),
        exclude_booking_id=exclude_booking_id,
    )
    days = sorted(
        {s.starts_at.astimezone(zone).date() for s in search.slots if s.starts_at.astimezone(zone).date() >= day}
    )
    if not days:
        return []
    offered = days[0]
    prefix = "" if offered == day else f"{day_label(offered)}, "
    return [
        SlotChoice(slot=s, value=slot_value(s.starts_at), label=f"{prefix}{s.starts_at.astimezone(zone):%H:%M}", url="")
        for s in search.slots
        if s.starts_at.astimezone(zone).date() == offered
    ]
