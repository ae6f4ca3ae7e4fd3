"""What the booking pages show about meetings, given to bookings through its hooks.

Imported once from MeetingsConfig.ready(); bookings never imports meetings.
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from bookings import hooks
from bookings.formatting import short_when, zone_label
from bookings.models import Booking, BookingStatus, Practitioner
from clinicpro.models import Clinic, Role

from . import selectors
from .forms import RegenerateMeetingForm
from .models import JoinLink, JoinRole, Meeting, MeetingEvent, MeetingStatus, join_link_for
from .registry import PROVIDERS, provider_class, provider_label
from .selection import fallback_keys, provider_key_for

logger = logging.getLogger(__name__)

INTEGRATIONS_URL = "/integrations/"
AUDIT_ROWS_SHOWN = 50

# Where prefetch_conferences leaves each booking's meeting and links, like Django's own
# prefetch cache: attributes of the instance, so they die with it.
PREFETCHED_MEETING = "_prefetched_current_meeting"
PREFETCHED_LINKS = "_prefetched_join_links"


def join_url(booking: Booking, role: str) -> str:
    """The absolute /j/<token> link for one participant role of the booking."""
    prefetched = getattr(booking, PREFETCHED_LINKS, {})
    link = prefetched.get(role) or join_link_for(booking, role)
    return settings.SITE_URL + reverse("meeting_join", args=[link.token])


def current_meeting(booking: Booking) -> Meeting | None:
    if hasattr(booking, PREFETCHED_MEETING):
        return getattr(booking, PREFETCHED_MEETING)
    return Meeting.objects.current_for(booking)


@hooks.register_conference_prefetch
def prefetch_conferences(bookings: list[Booking]) -> None:
    """Current meetings and join links of many bookings in two queries (a practitioner's calendar feed)."""
    ids = [booking.pk for booking in bookings if booking.is_online and booking.status == BookingStatus.CONFIRMED]
    # Links are made on first use; make the missing ones together rather than one query per booking.
    JoinLink.objects.bulk_create(
        [JoinLink(booking_id=pk, role=role) for pk in ids for role in JoinRole.values], ignore_conflicts=True
    )
    meetings = {meeting.booking_id: meeting for meeting in Meeting.objects.filter(booking_id__in=ids, is_current=True)}
    links: dict[int, dict[str, JoinLink]] = {}
    for link in JoinLink.objects.filter(booking_id__in=ids):
        links.setdefault(link.booking_id, {})[link.role] = link
    for booking in bookings:
        setattr(booking, PREFETCHED_MEETING, meetings.get(booking.pk))
        setattr(booking, PREFETCHED_LINKS, links.get(booking.pk, {}))


def _status(meeting: Meeting | None, role: str) -> tuple[str, str, str]:
    """(status, label, notice) as the given participant should read them."""
    if meeting is None or meeting.status in (MeetingStatus.PENDING, MeetingStatus.CREATING, MeetingStatus.CANCELLED):
        return MeetingStatus.CREATING, "Being created", "The link works now: it opens the room once it is ready."
    if meeting.status == MeetingStatus.FAILED:
        if role == JoinRole.HOST:
            return MeetingStatus.FAILED, "Failed", "No room could be made, not even the backup one. Regenerate it."
        return MeetingStatus.CREATING, "Being created", "The clinic is preparing your room."
    if meeting.is_fallback:
        if role == JoinRole.HOST:
            reason = f" because {meeting.fallback_reason}" if meeting.fallback_reason else ""
            return MeetingStatus.ACTIVE, "Failed – using backup room", f"The backup room is used{reason}."
        return MeetingStatus.ACTIVE, "Ready", "This appointment uses a ClinicPro room; just open the link."
    return MeetingStatus.ACTIVE, "Ready", ""


@hooks.register_conference_source
def conference(booking: Booking, role: hooks.Role) -> hooks.Conference | None:
    if not booking.is_online or booking.status != BookingStatus.CONFIRMED:
        return None
    meeting = current_meeting(booking)
    status, status_label, notice = _status(meeting, role)
    return hooks.Conference(
        join_url=join_url(booking, role),
        provider_label=provider_label(meeting.provider if meeting else provider_key_for(booking)),
        status=status,
        status_label=status_label,
        is_fallback=bool(meeting and meeting.is_fallback),
        notice=notice,
    )


def _usability(key: str, clinic: Clinic, practitioner: Practitioner | None) -> tuple[bool, str]:
    """Whether `practitioner`'s bookings can have meetings on `key`, and the plain fact why not."""
    try:
        provider = provider_class(key)
    except (ImportError, AttributeError):
        # A registered provider whose module is missing on this installation cannot be offered.
        return False, "not available on this server"
    try:
        return provider.is_usable(clinic=clinic, practitioner=practitioner)
    except Exception:
        # The service editor must keep working when one provider's check breaks.
        logger.exception("Checking whether %s is usable failed", key)
        return False, "cannot be checked right now"


def _backup_label(key: str, clinic: Clinic, usable: dict[str, bool]) -> str:
    """What a service naming `key` gets instead: the first fallback this practitioner can use, as at booking time."""
    backups = [candidate for candidate in fallback_keys(clinic, tried={key}) if usable.get(candidate)]
    return provider_label(backups[0]) if backups else ""


@hooks.register_platform_source
def platforms(clinic: Clinic, practitioner: Practitioner | None) -> list[hooks.MeetingPlatform]:
    checked = {key: _usability(key, clinic, practitioner) for key in PROVIDERS}
    usable = {key: ok for key, (ok, _reason) in checked.items()}
    return [
        hooks.MeetingPlatform(
            key=key,
            label=provider_label(key),
            usable=ok,
            reason=reason,
            fix_url="" if ok else INTEGRATIONS_URL,
            fallback_label="" if ok else _backup_label(key, clinic, usable),
        )
        for key, (ok, reason) in checked.items()
    ]


@hooks.register_dashboard_panel
def meeting_panel(request: HttpRequest, booking: Booking) -> SafeString | str:
    if not booking.is_online:
        return ""
    meeting = current_meeting(booking)
    confirmed = booking.status == BookingStatus.CONFIRMED
    membership = getattr(request, "membership", None)
    context = {
        "booking": booking,
        "meeting": meeting,
        "provider_label": provider_label(meeting.provider if meeting else provider_key_for(booking)),
        "host_url": join_url(booking, JoinRole.HOST) if confirmed else "",
        "patient_url": join_url(booking, JoinRole.PATIENT) if confirmed else "",
        "history": Meeting.objects.filter(booking=booking, is_current=False),
        "events": audit_rows(booking),
        "can_regenerate": bool(membership and membership.is_owner) and confirmed,
        "regenerate_form": RegenerateMeetingForm(),
        "zone": booking.clinic.zone,
        "zone_label": zone_label(booking.clinic.zone, booking.starts_at),
    }
    return render_to_string("meetings/_panel.html", context, request=request)


def _actor_labels(events: list[MeetingEvent]) -> dict[str, str]:
    """ "user:<id>" actors as the person's email; "worker", "patient" and the like stay as they are."""
    user_ids = [e.actor.removeprefix("user:") for e in events if e.actor.startswith("user:")]
    users = get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk.isdigit()])
    return {f"user:{pk}": email for pk, email in users.values_list("pk", "email")}


def audit_rows(booking: Booking) -> list[tuple[MeetingEvent, str, str]]:
    """The booking's latest audit events, each with its provider's label and who acted."""
    events = list(MeetingEvent.objects.filter(booking=booking)[:AUDIT_ROWS_SHOWN])
    actors = _actor_labels(events)
    return [
        (event, provider_label(event.provider) if event.provider else "", actors.get(event.actor, event.actor))
        for event in events
    ]


def _watched_practitioner(request: HttpRequest) -> tuple[bool, Practitioner | None]:
    """Whether this member sees meeting banners, and whose bookings (None: the whole clinic's)."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in (Role.OWNER, Role.PRACTITIONER):
        return False, None
    if membership.role == Role.OWNER:
        return True, None
    return True, Practitioner.objects.filter(membership=membership).first()


def _when(booking: Booking) -> str:
    local = booking.starts_at.astimezone(booking.clinic.zone)
    return f"{short_when(booking.starts_at, booking.clinic.zone)} {local.tzname() or booking.clinic.zone.key}"


def meeting_banner_candidates(request: HttpRequest) -> list[QuerySet[Any]]:
    watching, practitioner = _watched_practitioner(request)
    clinic = getattr(request, "clinic", None)
    if not watching or clinic is None:
        return []
    missing = selectors.bookings_missing_links(clinic)
    fallbacks = selectors.fallback_meetings_needing_attention(clinic)
    stuck = selectors.meetings_stuck_at_vendor(clinic)
    if practitioner is None:
        return [missing, fallbacks, stuck]
    return [
        missing.filter(practitioner=practitioner),
        fallbacks.filter(booking__practitioner=practitioner),
        stuck.filter(booking__practitioner=practitioner),
    ]


@hooks.register_dashboard_banner(candidates=meeting_banner_candidates)
def meeting_banners(request: HttpRequest) -> list[str]:
    watching, practitioner = _watched_practitioner(request)
    clinic = getattr(request, "clinic", None)
    if not watching or clinic is None:
        return []
    banners = []
    for booking in selectors.bookings_missing_links(clinic):
        if practitioner is not None and booking.practitioner_id != practitioner.pk:
            continue
        banners.append(
            f"No meeting link yet for {booking.service.name} with {booking.practitioner.display_name} "
            f"on {_when(booking)}, starting soon. ClinicPro keeps trying; open the booking to regenerate it."
        )
    for meeting in selectors.fallback_meetings_needing_attention(clinic):
        booking = meeting.booking
        if practitioner is not None and booking.practitioner_id != practitioner.pk:
            continue
        reason = meeting.fallback_reason or "the chosen platform failed"
        banners.append(f"Meeting for {booking.service.name} on {_when(booking)} used the backup room because {reason}.")
    for meeting in selectors.meetings_stuck_at_vendor(clinic):
        booking = meeting.booking
        if practitioner is not None and booking.practitioner_id != practitioner.pk:
            continue
        label = provider_label(meeting.provider)
        banners.append(
            f"The {label} meeting for {booking.service.name} on {_when(booking)} is no longer used but could not "
            f"be deleted at {label} yet ({meeting.last_error or 'no answer'}). ClinicPro keeps trying; if {label} "
            "needs reconnecting, do it on the Integrations page."
        )
    return banners
