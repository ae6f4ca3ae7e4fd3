"""How bookings read to people: money in KES, times in the clinic's zone with the zone named."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Long names for the abbreviations zoneinfo gives; anything else is shown as the abbreviation.
ZONE_NAMES = {
    "EAT": "East Africa Time",
    "CAT": "Central Africa Time",
    "WAT": "West Africa Time",
    "SAST": "South Africa Standard Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "IST": "India Standard Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}


def as_zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def zone_label(zone: ZoneInfo | str, at: datetime | None = None) -> str:
    """ "East Africa Time (Africa/Nairobi)"; `at` picks summer or winter time where the zone has both."""
    zone = as_zone(zone)
    moment = (at or datetime.now(zone)).astimezone(zone)
    abbreviation = moment.tzname() or ""
    name = ZONE_NAMES.get(abbreviation)
    if name:
        return f"{name} ({zone.key})"
    if abbreviation and abbreviation[0] not in "+-":
        return f"{abbreviation} ({zone.key})"
    return zone.key


def money(amount: int | None) -> str:
    """Whole Kenyan shillings: "KES 1,500", or "Free"."""
    if not amount:
        return "Free"
    return f"KES {amount:,}"


def local_time(moment: datetime, zone: ZoneInfo | str) -> datetime:
    return moment.astimezone(as_zone(zone))


def when(starts_at: datetime, ends_at: datetime | None, zone: ZoneInfo | str) -> str:
    """ "Monday 5 January 2026, 09:00–09:30" in the given zone."""
    start = local_time(starts_at, zone)
    text = f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}"
    if ends_at is not None:
        text += f"–{local_time(ends_at, zone):%H:%M}"
    return text


def short_when(starts_at: datetime, zone: ZoneInfo | str) -> str:
    """ "Mon 5 Jan, 09:00" for tables."""
    start = local_time(starts_at, zone)
    return f"{start:%a} {start.day} {start:%b}, {start:%H:%M}"


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


@register.filter(name="kes")
def kes_filter(amount: int | None) -> str:
    return money(amount)


@register.filter(name="when")
def when_filter(booking) -> str:
    return when(booking.starts_at, booking.ends_at, booking.clinic.zone)


@register.filter(name="short_when")
def short_when_filter(booking) -> str:
    return short_when(booking.starts_at, booking.clinic.zone)


@register.filter(name="clock")
def clock_filter(moment: datetime, zone: ZoneInfo | str) -> str:
    return f"{local_time(moment, zone):%H:%M}"


@register.filter(name="moment")
def moment_filter(moment: datetime, zone: ZoneInfo | str) -> str:
    """ "Saturday 21 November, 10:39" in the given zone: a deadline someone must act before."""
    local = local_time(moment, zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


@register.filter(name="day_label")
def day_label_filter(day: date) -> str:
    return day_label(day)


@register.simple_tag
def zone_name(zone: ZoneInfo | str, at: datetime | None = None) -> str:
    return zone_label(zone, at)


@register.filter(name="status_badge")
def status_badge(booking) -> SafeString:
    return format_html('<span class="badge {}">{}</span>', booking.status, booking.get_status_display())


@register.filter(name="first_name")
def first_name(full_name: str) -> str:
    return (full_name or "").split(" ")[0]
