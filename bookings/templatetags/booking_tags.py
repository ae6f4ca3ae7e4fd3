"""Template filters over bookings.formatting: money in KES, times in the clinic's zone with the zone named."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.safestring import SafeString

from ..badges import status_badge
from ..formatting import (
    as_zone,
    day_label,
    local_time,
    moment_label,
    money,
    short_when,
    when,
    zone_label,
)
from ..models import Booking
from ..table_rows import BookingRow, render_booking_table

# Python code imports these from bookings.formatting; the names stay here for older imports.
__all__ = ["as_zone", "day_label", "local_time", "money", "short_when", "when", "zone_label"]

register = template.Library()


@register.simple_tag(takes_context=True)
def booking_table(
    context: template.Context, rows: list[BookingRow], *, empty: str, with_actions: bool = False
) -> SafeString:
    """{% booking_table rows empty="Nothing today." with_actions=True %}: see render_booking_table."""
    return render_booking_table(context["request"], rows, empty=empty, with_actions=with_actions)


@register.filter(name="kes")
def kes_filter(amount: int | None) -> str:
    return money(amount)


@register.filter(name="when")
def when_filter(booking: Booking) -> str:
    return when(booking.starts_at, booking.ends_at, booking.clinic.zone)


@register.filter(name="clock")
def clock_filter(moment: datetime, zone: ZoneInfo | str) -> str:
    return f"{local_time(moment, zone):%H:%M}"


@register.filter(name="moment")
def moment_filter(moment: datetime, zone: ZoneInfo | str) -> str:
    return moment_label(moment, zone)


@register.filter(name="day_label")
def day_label_filter(day: date) -> str:
    return day_label(day)


@register.simple_tag
def zone_name(zone: ZoneInfo | str, at: datetime | None = None) -> str:
    return zone_label(zone, at)


@register.filter(name="status_badge")
def status_badge_filter(booking: Booking) -> SafeString:
    return status_badge(booking.status, booking.get_status_display())


@register.filter(name="first_name")
def first_name(full_name: str) -> str:
    return (full_name or "").split(" ")[0]
