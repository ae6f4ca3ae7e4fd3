"""/j/<token>: the one link people are sent, leading to whichever meeting is current.

Inside the clinic's join window it records the join and redirects; outside it,
or while the room is still being made, it explains when to come back. A patient
is only ever sent to the meeting's participant URL, never to a host URL.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from bookings.formatting import when, zone_label
from bookings.models import Booking, BookingStatus

from ..models import EventAction, EventOutcome, JoinLink, JoinRole, Meeting, MeetingStatus, settings_for
from ..providers.base import MeetingProviderError
from ..registry import provider_label
from ..selection import provider_for

logger = logging.getLogger(__name__)

# Bookings that never went ahead: their join links say so and lead nowhere.
CALLED_OFF = (BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED)
NOT_YET_CONFIRMED = (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT)
PREPARING_REFRESH_SECONDS = 5


@dataclass(frozen=True)
class JoinWindow:
    opens_at: datetime
    closes_at: datetime
    opens_minutes_before: int

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return "early"
        if now > self.closes_at:
            return "ended"
        return "open"


def join_window(booking: Booking) -> JoinWindow:
    config = settings_for(booking.clinic)
    return JoinWindow(
        opens_at=booking.starts_at - timedelta(minutes=config.join_opens_minutes_before),
        closes_at=booking.ends_at + timedelta(minutes=config.join_closes_minutes_after),
        opens_minutes_before=config.join_opens_minutes_before,
    )


def short_clock(moment: datetime, booking: Booking) -> str:
    """ "09:45 EAT": the zone's abbreviation, or its name where it has none ("+03")."""
    local = moment.astimezone(booking.clinic.zone)
    abbreviation = local.tzname() or ""
    zone = abbreviation if abbreviation and abbreviation[0] not in "+-" else booking.clinic.zone.key
    return f"{local:%H:%M} {zone}"


def _day_unless_today(moment: datetime, booking: Booking) -> str:
    """ "Tuesday 3 March" when `moment` falls on another day than today in the clinic's zone."""
    local = moment.astimezone(booking.clinic.zone)
    if local.date() == timezone.now().astimezone(booking.clinic.zone).date():
        return ""
    return f"{local:%A} {local.day} {local:%B}"


def _link(token: str) -> JoinLink:
    link = (
        JoinLink.objects.select_related("booking__clinic", "booking__service", "booking__practitioner__membership")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise Http404("No such meeting link.")
    return link


def _host_destination(meeting: Meeting, booking: Booking) -> str:
    """A fresh host link where the provider issues expiring ones (Zoom's start_url)."""
    try:
        return (
            provider_for(booking, meeting.provider).host_url(meeting.as_record())
            or meeting.host_url
            or meeting.join_url
        )
    except MeetingProviderError as exc:
        # The stored host link may still work; a host stuck on this page helps nobody.
        logger.warning("Fresh host link for meeting %s failed: %s", meeting.pk, exc)
        return meeting.host_url or meeting.join_url


def _is_the_practitioner(request: HttpRequest, booking: Booking) -> bool:
    return request.user.is_authenticated and booking.practitioner.membership.user_id == request.user.pk


def _page(request: HttpRequest, template: str, booking: Booking, role: str, **extra: object) -> HttpResponse:
    context = {
        "booking": booking,
        "clinic": booking.clinic,
        "role": role,
        "when": when(booking.starts_at, booking.ends_at, booking.clinic.zone),
        "zone_label": zone_label(booking.clinic.zone, booking.starts_at),
        **extra,
    }
    return render(request, template, context)


@never_cache
@require_safe
def meeting_join(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(token)
    booking = link.booking
    role = link.role
    if role == JoinRole.HOST and not _is_the_practitioner(request, booking):
        # A host link (Zoom's zak, a moderator token) must not work for whoever found it.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Only the booking's practitioner can start this meeting.")
    if link.is_revoked or booking.status in CALLED_OFF:
        return _page(request, "meetings/join/cancelled.html", booking, role)
    if booking.status in NOT_YET_CONFIRMED:
        return _page(request, "meetings/join/not_confirmed.html", booking, role)
    window = join_window(booking)
    state = window.state(timezone.now())
    if state == "early":
        return _page(
            request,
            "meetings/join/early.html",
            booking,
            role,
            opens_at=short_clock(window.opens_at, booking),
            opens_on=_day_unless_today(window.opens_at, booking),
            starts_at=short_clock(booking.starts_at, booking),
            opens_minutes_before=window.opens_minutes_before,
        )
    if state == "ended":
        return _page(request, "meetings/join/ended.html", booking, role)

    meeting = Meeting.objects.current_for(booking)
    if meeting is None or meeting.status != MeetingStatus.ACTIVE or not meeting.join_url:
        return _page(
            request,
            "meetings/join/preparing.html",
            booking,
            role,
            meeting=meeting,
            refresh_seconds=PREPARING_REFRESH_SECONDS,
        )
    destination = _host_destination(meeting, booking) if role == JoinRole.HOST else meeting.join_url
    meeting.audit(EventAction.JOIN, EventOutcome.OK, actor=role)
    logger.info("%s joined booking %s via %s", role, booking.pk, provider_label(meeting.provider))
    return HttpResponseRedirect(destination)
