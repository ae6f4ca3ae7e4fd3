"""Calendar files (RFC 5545/5546/7986): one booking for the patient, a subscription feed per practitioner.

The join link goes in URL, LOCATION, the first line of DESCRIPTION and CONFERENCE,
because each calendar client reads a different one of them.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from . import hooks
from .models import Booking, BookingStatus, Practitioner

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//ClinicPro//Bookings//EN"

# Bookings that will not take place: their invitation withdraws the event (METHOD:CANCEL).
CALLED_OFF_STATUSES = (BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED)
# Asked for but not yet agreed (approval or payment outstanding): RFC 5545 calls that TENTATIVE.
TENTATIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT)


def event_status(booking: Booking) -> str:
    if booking.status in CALLED_OFF_STATUSES:
        return "CANCELLED"
    if booking.status in TENTATIVE_STATUSES:
        return "TENTATIVE"
    return "CONFIRMED"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "clinicpro.local"


def booking_uid(booking: Booking) -> str:
    """The same for the whole life of the booking, whatever is rescheduled or cancelled.

    Derived one-way from the booking's token, which never changes: it neither reveals the token
    nor the sequential booking id (how many bookings a clinic takes).
    """
    digest = hashlib.sha256(f"clinicpro-booking-uid:{booking.token}".encode()).hexdigest()[:32]
    return f"{digest}@{site_host()}"


def _organizer(booking: Booking) -> vCalAddress:
    """The clinic organises every booking (RFC 5546 requires ORGANIZER in REQUEST, CANCEL and PUBLISH)."""
    address = booking.clinic.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = booking.clinic.name
    return organizer


def _attendee(booking: Booking) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{booking.patient.email}")
    attendee.params.update(
        {
            "CN": booking.patient.name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "DECLINED" if booking.status in CALLED_OFF_STATUSES else "ACCEPTED",
            "RSVP": "FALSE",
        }
    )
    return attendee


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("booking_manage", args=[booking.token])


def _calendar(method: str | None = None, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(booking: Booking, *, role: hooks.Role, summary: str, details: list[str]) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("organizer", _organizer(booking))
    status = event_status(booking)
    event.add("status", status)
    conference = None if status == "CANCELLED" else hooks.conference_for(booking, role)
    description = list(details)
    if conference is not None:
        event.add("url", conference.join_url)
        event.add("location", conference.join_url)
        event.add(
            "conference",
            conference.join_url,
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": conference.provider_label},
        )
        description.insert(0, f"Join: {conference.join_url}")
    elif not booking.is_online and booking.clinic.address:
        event.add("location", booking.clinic.address)
    event.add("description", "\n".join(description))
    return event


def booking_calendar(booking: Booking) -> Calendar:
    """The patient's invitation: REQUEST while the booking stands, CANCEL once it is called off."""
    calendar = _calendar("CANCEL" if booking.status in CALLED_OFF_STATUSES else "REQUEST")
    details = [f"{booking.service_label} with {booking.practitioner.display_name} at {booking.clinic.name}."]
    if not booking.is_online and booking.clinic.address:
        details.append(f"Address: {booking.clinic.address}")
    details.append(f"Manage your booking: {manage_url(booking)}")
    event = _event(
        booking,
        role="patient",
        summary=f"{booking.service_label} with {booking.practitioner.display_name}",
        details=details,
    )
    event.add("attendee", _attendee(booking))
    calendar.add_component(event)
    return calendar


def booking_invitation(
    booking: Booking, *, organizer_email: str, organizer_name: str, attendee_email: str, attendee_name: str
) -> Calendar:
    """The patient's calendar as an iTIP message for email (RFC 5546).

    REQUEST and CANCEL must name the organizer (the clinic) and the recipient as
    an attendee, or Gmail and Outlook show a plain attachment instead of an invitation.
    """
    calendar = booking_calendar(booking)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["CN"] = organizer_name
    for event in calendar.walk("VEVENT"):
        # The sender and the recipient of this very message replace the file's defaults.
        event["organizer"] = organizer
        event.pop("attendee", None)
        event.add(
            "attendee",
            f"mailto:{attendee_email}",
            parameters={
                "CN": attendee_name,
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "ACCEPTED" if event_status(booking) == "CONFIRMED" else "NEEDS-ACTION",
                # Replies would go to a mailbox nobody reads: the manage page is where changes are made.
                "RSVP": "FALSE",
            },
        )
    return calendar


def practitioner_feed(practitioner: Practitioner, bookings: Iterable[Booking]) -> Calendar:
    """A subscription feed: host links, the patient's first name only.

    Subscribed calendars live on other companies' servers, so no phone, email or notes leave with it.
    """
    calendar = _calendar(name=f"{practitioner.display_name} · ClinicPro")
    bookings = list(bookings)
    hooks.prefetch_conferences(bookings)
    for booking in bookings:
        first_name = booking.patient.name.split(" ")[0]
        details = [f"{booking.service_label} with {first_name} ({booking.get_status_display()})."]
        calendar.add_component(
            _event(booking, role="host", summary=f"{booking.service_label}: {first_name}", details=details)
        )
    return calendar


@transaction.atomic
def practitioner_feed_token_regenerate(*, practitioner: Practitioner) -> Practitioner:
    """A new secret feed URL; calendars subscribed to the old one stop receiving updates."""
    practitioner.feed_token = secrets.token_urlsafe(24)
    practitioner.save(update_fields=["feed_token"])
    return practitioner
