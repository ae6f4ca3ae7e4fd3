"""How bookings read to people: money in KES, times in the clinic's zone with the zone named.

Plain functions, used by Python code and (through bookings.templatetags.booking_tags) by templates.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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
    return start.strftime(f"%a {start.day} %b, %H:%M")  # one strftime: a table formats many


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def moment_label(moment: datetime, zone: ZoneInfo | str) -> str:
    """ "Saturday 21 November, 10:39" in the given zone: a deadline someone must act before."""
    local = local_time(moment, zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def utc_stamp(moment: datetime) -> str:
    """UTC as 2026-01-05T09:00:00Z: slot values in URLs, and the form every vendor API accepts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
