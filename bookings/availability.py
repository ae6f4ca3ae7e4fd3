"""Which times a practitioner can be booked for a service.

Everything is computed in the practitioner's zone (their own, or the clinic's):
weekly working hours plus extra hours give the day's windows. Candidate starts
are laid on each window from its start, stepping by the service's duration
(never finer than 15 minutes), and a candidate is offered when the appointment
fits in the window and misses any time off, respects the service's minimum
notice and booking horizon, and its blocked time (appointment plus the
service's buffers) meets neither another active booking's blocked time nor an
external busy interval. Buffers may reach outside working hours: they are the
practitioner's own preparation time, not the patient's.

Daylight saving time: local wall-clock times are resolved per date, so a 09:00
window is 09:00 local on both sides of a change. A local time that does not
exist (spring forward) resolves to the same instant one hour later on the
clock; an ambiguous one (fall back) to its first occurrence. Within a window,
steps are real elapsed minutes, so an appointment always lasts its duration.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from . import hooks
from .models import ACTIVE_STATUSES, AvailabilityException, Booking, BookingStatus, Practitioner, Service

# Shorter services still step on a quarter-hour grid, so a day does not become a wall of slots.
MIN_STEP_MINUTES = 15

CALENDAR_SYNC_WARNING = "Calendar sync is unavailable right now; some busy times may not be reflected."

Interval = tuple[datetime, datetime]
LocalWindow = tuple[time, time | None]  # an end of None means midnight at the end of the day


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC


@dataclass(frozen=True)
class SlotSearch:
    """Slots, and what the page should tell the patient about how they were found."""

    slots: list[Slot]
    warnings: list[str] = field(default_factory=list)

    @property
    def calendar_sync_failed(self) -> bool:
        return CALENDAR_SYNC_WARNING in self.warnings


def available_slots(
    *, service: Service, practitioner: Practitioner, start: date, end: date, now: datetime | None = None
) -> list[Slot]:
    """Bookable slots from `start` to `end` (local dates, both included), in time order."""
    return search_slots(service=service, practitioner=practitioner, start=start, end=end, now=now).slots


def is_slot_available(
    *,
    service: Service,
    practitioner: Practitioner,
    starts_at: datetime,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
    busy: hooks.BusyReport | None = None,
) -> bool:
    """Whether `starts_at` is one of the slots offered; `exclude_booking_id` ignores a booking being moved.

    `busy`: external busy times read earlier with `external_busy_for_day` (inside a transaction,
    pass them so that only the database is consulted); None reads them now.
    """
    day = starts_at.astimezone(practitioner.zone).date()
    search = search_slots(
        service=service,
        practitioner=practitioner,
        start=day,
        end=day,
        now=now,
        exclude_booking_id=exclude_booking_id,
        busy=busy,
    )
    return any(slot.starts_at == starts_at for slot in search.slots)


def search_slots(
    *,
    service: Service,
    practitioner: Practitioner,
    start: date,
    end: date,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
    busy: hooks.BusyReport | None = None,
) -> SlotSearch:
    """The slot computation itself; also reports busy-time sources that failed."""
    now = now or timezone.now()
    found = _windows(service, practitioner, start, end, now)
    if found is None:
        return SlotSearch(slots=[])
    windows, time_off, span = found

    taken = _booked_intervals(practitioner, span, now, exclude_booking_id)
    report = busy if busy is not None else hooks.busy_report(practitioner, *span)
    taken.extend(_external_busy(report.intervals, _own_time(exclude_booking_id)))
    taken = _merged(taken)
    warnings = [CALENDAR_SYNC_WARNING] if report.failed_sources else []

    earliest = now + timedelta(minutes=service.min_notice_minutes)
    slots = [
        slot
        for slot in _candidates(service, windows)
        if slot.starts_at >= earliest
        and not _overlaps_any((slot.starts_at, slot.ends_at), time_off)
        and not _overlaps_any(_blocked(service, slot), taken)
    ]
    return SlotSearch(slots=slots, warnings=warnings)


def external_busy_for_day(
    *, service: Service, practitioner: Practitioner, starts_at: datetime, now: datetime | None = None
) -> hooks.BusyReport:
    """External busy times around the day of `starts_at`, read before a booking's transaction opens.

    The same span `is_slot_available` would read, so the busy-time cache answers both.
    """
    day = starts_at.astimezone(practitioner.zone).date()
    found = _windows(service, practitioner, day, day, now or timezone.now())
    if found is None:
        return hooks.BusyReport(intervals=[], failed_sources=[])
    return hooks.busy_report(practitioner, *found[2])


def _windows(
    service: Service, practitioner: Practitioner, start: date, end: date, now: datetime
) -> tuple[list[Interval], list[Interval], Interval] | None:
    """Working windows and time off between two local dates, and the span they block; None when there are none."""
    if not (service.is_active and practitioner.is_active) or end < start:
        return None
    zone = practitioner.zone
    start, end = _clip_to_horizon(service, zone, now, start, end)
    if end < start:
        return None
    windows, time_off = _working_windows(practitioner, zone, start, end)
    if not windows:
        return None
    span = (windows[0][0] - _buffer_before(service), windows[-1][1] + _buffer_after(service))
    return windows, time_off, span


def _clip_to_horizon(service: Service, zone: ZoneInfo, now: datetime, start: date, end: date) -> tuple[date, date]:
    """Patients see today's remaining slots up to `horizon_days` whole local days ahead."""
    today = now.astimezone(zone).date()
    return max(start, today), min(end, today + timedelta(days=service.horizon_days))


def _working_windows(
    practitioner: Practitioner, zone: ZoneInfo, start: date, end: date
) -> tuple[list[Interval], list[Interval]]:
    """Working hours (weekly and extra) and time off between two local dates, as sorted disjoint UTC intervals.

    Time off is kept apart rather than cut out of the windows, so the slots after it stay on the day's grid.
    """
    weekly: dict[int, list[LocalWindow]] = {}
    for hours in practitioner.working_hours.all():
        weekly.setdefault(hours.weekday, []).append((hours.start_time, hours.end_time))
    extra: dict[date, list[LocalWindow]] = {}
    off: dict[date, list[LocalWindow]] = {}
    for exception in AvailabilityException.objects.filter(practitioner=practitioner, date__range=(start, end)):
        if exception.kind == AvailabilityException.Kind.EXTRA:
            if exception.start_time and exception.end_time:
                extra.setdefault(exception.date, []).append((exception.start_time, exception.end_time))
        else:
            off.setdefault(exception.date, []).append(_time_off_window(exception))

    windows: list[Interval] = []
    time_off: list[Interval] = []
    day = start
    while day <= end:
        windows.extend(_to_utc(day, window, zone) for window in weekly.get(day.weekday(), []) + extra.get(day, []))
        time_off.extend(_to_utc(day, window, zone) for window in off.get(day, []))
        day += timedelta(days=1)
    return _merged(windows), _merged(time_off)


def _time_off_window(exception: AvailabilityException) -> LocalWindow:
    """Time off without times is the whole day; with one time missing it runs to that end of the day."""
    return (exception.start_time or time(0), exception.end_time)


def _to_utc(day: date, window: LocalWindow, zone: ZoneInfo) -> Interval:
    start_local, end_local = window
    start = _local_instant(day, start_local, zone)
    if end_local is None:
        end = _local_instant(day + timedelta(days=1), time(0), zone)
    else:
        end = _local_instant(day, end_local, zone)
    return start, end


def _local_instant(day: date, wall_clock: time, zone: ZoneInfo) -> datetime:
    # fold=0: an ambiguous time is its first occurrence; a nonexistent one is read with the
    # offset in force before the gap, which lands after it (02:30 in a 02:00->03:00 gap is 03:30).
    return datetime.combine(day, wall_clock, tzinfo=zone).astimezone(UTC)


def _merged(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _step(service: Service) -> timedelta:
    return timedelta(minutes=max(service.duration_minutes, MIN_STEP_MINUTES))


def _buffer_before(service: Service) -> timedelta:
    return timedelta(minutes=service.buffer_before_minutes)


def _buffer_after(service: Service) -> timedelta:
    return timedelta(minutes=service.buffer_after_minutes)


def _candidates(service: Service, windows: list[Interval]) -> list[Slot]:
    duration, step = timedelta(minutes=service.duration_minutes), _step(service)
    slots = []
    for window_start, window_end in windows:
        starts_at = window_start
        while starts_at + duration <= window_end:
            slots.append(Slot(starts_at=starts_at, ends_at=starts_at + duration))
            starts_at += step
    return slots


def _blocked(service: Service, slot: Slot) -> Interval:
    return slot.starts_at - _buffer_before(service), slot.ends_at + _buffer_after(service)


def _booked_intervals(
    practitioner: Practitioner, span: Interval, now: datetime, exclude_booking_id: int | None
) -> list[Interval]:
    """Blocked time of the practitioner's active bookings in one query; lapsed payment holds are free."""
    bookings = Booking.objects.filter(
        practitioner=practitioner,
        status__in=ACTIVE_STATUSES,
        blocked_from__lt=span[1],
        blocked_until__gt=span[0],
    ).exclude(Q(status=BookingStatus.AWAITING_PAYMENT) & Q(hold_expires_at__lte=now))
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    return list(bookings.values_list("blocked_from", "blocked_until"))


def _own_time(booking_id: int | None) -> Interval | None:
    if booking_id is None:
        return None
    return Booking.objects.filter(pk=booking_id).values_list("starts_at", "ends_at").first()


def _external_busy(intervals: list[hooks.BusyInterval], own_time: Interval | None) -> list[Interval]:
    """External busy times, less the moved booking's own time.

    A booking being rescheduled appears busy in the practitioner's calendar (its
    own calendar event); without this it could never move to an overlapping time.
    """
    busy: list[Interval] = []
    for interval in intervals:
        start, end = interval.start, interval.end
        if own_time is None or own_time[1] <= start or own_time[0] >= end:
            busy.append((start, end))
            continue
        if start < own_time[0]:
            busy.append((start, own_time[0]))
        if own_time[1] < end:
            busy.append((own_time[1], end))
    return busy


def _overlaps_any(interval: Interval, taken: list[Interval]) -> bool:
    """Half-open overlap against sorted, disjoint intervals."""
    start, end = interval
    index = bisect_right(taken, (start, datetime.max.replace(tzinfo=UTC))) - 1
    if index >= 0 and taken[index][1] > start:
        return True
    return index + 1 < len(taken) and taken[index + 1][0] < end
