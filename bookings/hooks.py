"""Extension points the other apps fill in at start-up (in their AppConfig.ready).

bookings never imports meetings, payments or integrations; they register here
instead, so the booking pages can show what those apps know about a booking.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from clinicpro.models import Clinic

    from .models import Booking, Practitioner

logger = logging.getLogger(__name__)
Source = TypeVar("Source")

Role = Literal["patient", "host"]


@dataclass(frozen=True)
class MeetingPlatform:
    """One meeting platform as seen for one practitioner (or for nobody in particular)."""

    key: str
    label: str
    usable: bool
    # Why that practitioner cannot use it, as a fact that blames no one ("no Google connection"),
    # and where it is fixed (e.g. the integrations page).
    reason: str = ""
    fix_url: str = ""
    # What a service naming this platform gives that practitioner's bookings instead (the clinic's backup).
    fallback_label: str = ""


@dataclass(frozen=True)
class Conference:
    """What a person sees about a booking's online meeting."""

    join_url: str  # always a ClinicPro /j/<token> link for the given role
    provider_label: str
    status: str
    status_label: str
    is_fallback: bool = False
    notice: str = ""


@dataclass(frozen=True)
class BusyInterval:
    start: datetime
    end: datetime


PlatformSource = Callable[["Clinic", "Practitioner | None"], list[MeetingPlatform]]
ConferenceSource = Callable[["Booking", Role], "Conference | None"]
BusySource = Callable[["Practitioner", datetime, datetime], list[BusyInterval]]
PanelSource = Callable[[HttpRequest, "Booking"], SafeString | str]
BannerBuilder = Callable[[HttpRequest], list[str]]
BannerCandidates = Callable[[HttpRequest], list[QuerySet[Any]]]


@dataclass(frozen=True)
class BannerSource:
    """Dashboard banners of one app: `build` makes them, from rows that `candidates` names.

    `candidates` returns the querysets whose rows would make `build` say something ([] when the
    member never sees these banners). The dashboard asks every source's candidates in one query
    and calls `build` only where there are rows, so a clinic with nothing to warn about pays a
    single query for all its banners.
    """

    build: BannerBuilder
    candidates: BannerCandidates


PaymentInstructionsSource = Callable[[HttpRequest, "Booking"], SafeString | str]
ConferencePrefetch = Callable[[list["Booking"]], None]

_platform_sources: list[PlatformSource] = []
_conference_sources: list[ConferenceSource] = []
_busy_sources: list[BusySource] = []
_panel_sources: list[PanelSource] = []
_banner_sources: list[BannerSource] = []
_conference_prefetchers: list[ConferencePrefetch] = []
_payment_instruction_sources: list[PaymentInstructionsSource] = []
_manage_panel_sources: list[PanelSource] = []


def _register(registry: list[Source], source: Source) -> Source:
    if source not in registry:
        registry.append(source)
    return source


def register_platform_source(source: PlatformSource) -> PlatformSource:
    return _register(_platform_sources, source)


def register_conference_source(source: ConferenceSource) -> ConferenceSource:
    return _register(_conference_sources, source)


def register_busy_source(source: BusySource) -> BusySource:
    return _register(_busy_sources, source)


def register_dashboard_panel(source: PanelSource) -> PanelSource:
    """HTML shown on a booking's dashboard page (meeting status, audit trail, actions)."""
    return _register(_panel_sources, source)


def register_conference_prefetch(source: ConferencePrefetch) -> ConferencePrefetch:
    """Loads what conference sources need for many bookings in a few queries (calendar feeds, lists)."""
    return _register(_conference_prefetchers, source)


def register_dashboard_banner(*, candidates: BannerCandidates) -> Callable[[BannerBuilder], BannerBuilder]:
    """Warnings shown at the top of a clinic's dashboard (failed meetings, reconnect needed); see BannerSource."""

    def register(build: BannerBuilder) -> BannerBuilder:
        _register(_banner_sources, BannerSource(build=build, candidates=candidates))
        return build

    return register


def register_payment_instructions(source: PaymentInstructionsSource) -> PaymentInstructionsSource:
    """HTML telling the patient how to pay a booking that awaits payment (e.g. an M-Pesa prompt); "" for none."""
    return _register(_payment_instruction_sources, source)


def register_manage_panel(source: PanelSource) -> PanelSource:
    """HTML shown to the patient on the manage page whatever the status (e.g. a payment receipt); "" for none."""
    return _register(_manage_panel_sources, source)


def manage_panels(request: HttpRequest, booking: "Booking") -> list[SafeString | str]:
    return [html for source in _manage_panel_sources if (html := source(request, booking))]


def meeting_platforms(clinic: "Clinic", practitioner: "Practitioner | None" = None) -> list[MeetingPlatform]:
    """Every platform, each usable or not for `practitioner`'s bookings (None: for nobody's in particular)."""
    return [platform for source in _platform_sources for platform in source(clinic, practitioner)]


def conference_for(booking: "Booking", role: Role) -> Conference | None:
    for source in _conference_sources:
        conference = source(booking, role)
        if conference is not None:
            return conference
    return None


def busy_intervals(practitioner: "Practitioner", start: datetime, end: datetime) -> list[BusyInterval]:
    return [interval for source in _busy_sources for interval in source(practitioner, start, end)]


def dashboard_panels(request: HttpRequest, booking: "Booking") -> list[SafeString | str]:
    return [source(request, booking) for source in _panel_sources]


def prefetch_conferences(bookings: list["Booking"]) -> None:
    """Call before `conference_for` on many bookings, so each one costs no further query."""
    for source in _conference_prefetchers:
        source(bookings)


def dashboard_banners(request: HttpRequest) -> list[str]:
    """Every source's banners for the member of request.clinic, asking first in one query which have any."""
    asked = [(source, candidates) for source in _banner_sources for candidates in source.candidates(request)]
    if not asked:
        return []
    found = each_has_rows([rows for _, rows in asked])
    speaking = {source for (source, _), has_rows in zip(asked, found, strict=True) if has_rows}
    return [banner for source in _banner_sources if source in speaking for banner in source.build(request)]


def each_has_rows(querysets: list[QuerySet[Any]]) -> tuple[bool, ...]:
    """Whether each queryset has a row, asked in one statement: SELECT EXISTS(...), EXISTS(...), ...

    Each part is the query `QuerySet.exists()` runs, compiled on its own. Nested as Exists()
    annotations of another model's query, each would be cloned and resolved once more: the ORM's
    work, not the database's, is most of what this probe costs.
    """
    if not querysets:
        return ()
    aliases = {rows.db for rows in querysets}
    if len(aliases) != 1:
        raise ValueError(f"the querysets must share one database, not {sorted(aliases)}")
    parts: list[str] = []
    params: list[Any] = []
    for rows in querysets:
        try:
            sql, rows_params = rows.query.exists().get_compiler(rows.db).as_sql()
        except EmptyResultSet:
            # .none() or an empty `__in`: Django knows no row matches and writes no SQL for it.
            parts.append("1 = 0")
            continue
        parts.append(f"EXISTS({sql})")
        params.extend(rows_params)
    with connections[aliases.pop()].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        answer = cursor.fetchone()
    return tuple(bool(has_rows) for has_rows in answer)


def payment_instructions(request: HttpRequest, booking: "Booking") -> list[SafeString | str]:
    return [html for source in _payment_instruction_sources if (html := source(request, booking))]


@dataclass(frozen=True)
class BusyReport:
    """Busy times from every source that answered, and the labels of those that did not."""

    intervals: list[BusyInterval]
    failed_sources: list[str]


def busy_report(practitioner: "Practitioner", start: datetime, end: datetime) -> BusyReport:
    """Like `busy_intervals`, but a source that raises is logged and skipped.

    An external calendar that is down must never stop a patient from booking.
    """
    intervals: list[BusyInterval] = []
    failed: list[str] = []
    for source in _busy_sources:
        try:
            intervals.extend(source(practitioner, start, end))
        except Exception:
            label = getattr(source, "__qualname__", repr(source))
            logger.exception("Busy-time source %s failed for practitioner %s", label, practitioner.pk)
            failed.append(label)
    return BusyReport(intervals=intervals, failed_sources=failed)
