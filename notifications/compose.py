"""What each message says. One `Content` per message feeds the email (text and HTML) and the short text.

Times are in the clinic's zone with the zone named; links are the patient's
`/j/` join link and `/b/` manage link only (never a host link).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from bookings import hooks
from bookings.formatting import money, short_when, when, zone_label
from bookings.models import Booking, BookingStatus


@dataclass(frozen=True)
class Content:
    subject: str
    lines: list[str]
    text: str  # the SMS / WhatsApp text: short, links at the end
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute URL) buttons in the email
    # The variables of the clinic's approved WhatsApp template: 1 name, 2 what, 3 when, 4 link.
    template_variables: dict[str, str] = field(default_factory=dict)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def manage_link(booking: Booking) -> str:
    return absolute(reverse("booking_manage", args=[booking.token]))


def book_again_link(booking: Booking) -> str:
    return absolute(reverse("book", args=[booking.clinic.slug]))


def dashboard_link(booking: Booking) -> str:
    return absolute(reverse("clinic_booking", args=[booking.clinic.slug, booking.pk]))


def patient_join_link(booking: Booking) -> str:
    conference = hooks.conference_for(booking, "patient")
    return conference.join_url if conference else ""


def short_time(booking: Booking) -> str:
    """ "Tue 3 Mar, 09:00 EAT": short enough for one SMS part, with the zone named."""
    local = booking.starts_at.astimezone(booking.clinic.zone)
    return f"{short_when(booking.starts_at, booking.clinic.zone)} {local.tzname() or booking.clinic.timezone}"


def long_time(booking: Booking) -> str:
    zone = booking.clinic.zone
    return f"{when(booking.starts_at, booking.ends_at, zone)}, {zone_label(zone, booking.starts_at)}"


def first_name(name: str) -> str:
    return name.split(" ")[0] if name else ""


def _reason(booking: Booking, reason: str = "") -> str:
    reason = reason or booking.status_reason
    return f"Reason: {reason.rstrip('.')}." if reason else ""


def _where(booking: Booking) -> tuple[str, str]:
    """(sentence for the email, words for the SMS) about where the appointment happens."""
    if booking.is_online:
        join = patient_join_link(booking)
        if join:
            return f"Join online with this link (it opens shortly before the start): {join}", f"Join: {join}"
        return "The clinic will send the online meeting link.", ""
    if booking.clinic.address:
        return f"Address: {booking.clinic.address}", f"At {booking.clinic.address}."
    return "", ""


def _content(booking: Booking, subject: str, lines: list[str], text: str, actions: list[tuple[str, str]]) -> Content:
    link = next((url for _label, url in actions), "")
    return Content(
        subject=subject,
        lines=[line for line in lines if line],
        text=" ".join(part for part in text.split(" ") if part).strip(),
        actions=actions,
        template_variables={
            "1": first_name(booking.patient.name),
            "2": f"{booking.service.name} with {booking.practitioner.display_name}",
            "3": short_time(booking),
            "4": link,
        },
    )


def received(booking: Booking) -> Content:
    what = f"{booking.service.name} with {booking.practitioner.display_name}"
    manage = manage_link(booking)
    if booking.status == BookingStatus.AWAITING_PAYMENT and booking.hold_expires_at:
        until = f"{booking.hold_expires_at.astimezone(booking.clinic.zone):%H:%M}"
        return _content(
            booking,
            f"Your time is held: {what}",
            [
                f"{booking.clinic.name} is holding {long_time(booking)} for your {what}.",
                f"Pay {money(booking.price)} before {until} to confirm it; after that the time is released.",
            ],
            f"{booking.clinic.name}: {short_time(booking)} held for you until {until}. Pay {money(booking.price)} "
            f"to confirm: {manage}",
            [("Pay and confirm", manage)],
        )
    return _content(
        booking,
        f"Request received: {what}",
        [
            f"{booking.clinic.name} has your request for {what} on {long_time(booking)}.",
            "The clinic will confirm it soon, and we will tell you when they do.",
        ],
        f"{booking.clinic.name}: request received for {short_time(booking)}. We will tell you once it is confirmed. "
        f"{manage}",
        [("See your booking", manage)],
    )


def confirmed(booking: Booking, *, moved: bool = False) -> Content:
    what = f"{booking.service.name} with {booking.practitioner.display_name}"
    where_line, where_text = _where(booking)
    manage = manage_link(booking)
    join = patient_join_link(booking) if booking.is_online else ""
    actions = ([("Join the meeting", join)] if join else []) + [("Manage your booking", manage)]
    head = "Moved" if moved else "Confirmed"
    return _content(
        booking,
        f"{head}: {what}, {short_time(booking)}",
        [
            f"Your {what} at {booking.clinic.name} has {'moved to' if moved else 'been confirmed for'} "
            f"{long_time(booking)}.",
            where_line,
            "The calendar invitation attached updates your calendar." if booking.confirmed_at else "",
        ],
        f"{booking.clinic.name}: {head.lower()}, {booking.service.name} {short_time(booking)}. {where_text} "
        f"Manage: {manage}",
        actions,
    )


def rescheduled(booking: Booking) -> Content:
    return confirmed(booking, moved=True)


def cancelled(booking: Booking) -> Content:
    what = f"{booking.service.name} with {booking.practitioner.display_name}"
    again = book_again_link(booking)
    return _content(
        booking,
        f"Cancelled: {what}, {short_time(booking)}",
        [
            f"Your {what} on {long_time(booking)} is cancelled.",
            _reason(booking),
            "You can book another time whenever you like.",
        ],
        f"{booking.clinic.name}: your {booking.service.name} {short_time(booking)} is cancelled. {_reason(booking)} "
        f"Book again: {again}",
        [("Book another time", again)],
    )


def declined(booking: Booking) -> Content:
    what = f"{booking.service.name} with {booking.practitioner.display_name}"
    again = book_again_link(booking)
    return _content(
        booking,
        f"Request not accepted: {what}",
        [
            f"{booking.clinic.name} could not accept your request for {long_time(booking)}.",
            _reason(booking),
            "Please choose another time.",
        ],
        f"{booking.clinic.name} could not accept your request for {short_time(booking)}. {_reason(booking)} "
        f"Book another time: {again}",
        [("Choose another time", again)],
    )


def hold_expired(booking: Booking) -> Content:
    again = book_again_link(booking)
    return _content(
        booking,
        f"Time released: {booking.service.name}, {short_time(booking)}",
        [
            f"The payment for your {booking.service.name} on {long_time(booking)} did not arrive in time, "
            "so the time was released.",
            "If you still want an appointment, please book again.",
        ],
        f"{booking.clinic.name}: payment did not arrive in time, so {short_time(booking)} was released. "
        f"Book again: {again}",
        [("Book again", again)],
    )


def meeting_changed(booking: Booking, *, reason: str = "") -> Content:
    join = patient_join_link(booking)
    why = f" ({reason.rstrip('.')})" if reason else ""
    return _content(
        booking,
        f"Your video room changed: {booking.service.name}, {short_time(booking)}",
        [
            f"The video room for your {booking.service.name} on {long_time(booking)} changed{why}.",
            f"Your link stays the same: {join}",
        ],
        f"{booking.clinic.name}: your video room for {short_time(booking)} changed{why}. Same link: {join}",
        [("Join the meeting", join)] if join else [],
    )


def payment_receipt(booking: Booking, *, amount: int, reference: str = "") -> Content:
    ref = f" Receipt {reference}." if reference else ""
    manage = manage_link(booking)
    return _content(
        booking,
        f"Payment received: {money(amount)}",
        [
            f"{booking.clinic.name} received {money(amount)} for your {booking.service.name} on {long_time(booking)}.",
            f"M-Pesa receipt: {reference}" if reference else "",
        ],
        f"{booking.clinic.name}: {money(amount)} received for {booking.service.name} {short_time(booking)}.{ref} "
        f"{manage}",
        [("See your booking", manage)],
    )


def payment_refund(booking: Booking, *, amount: int, reference: str = "") -> Content:
    """The clinic holds money it must give back: say why, and that the clinic will refund it."""
    if booking.status == BookingStatus.CANCELLED:
        why = "the booking was cancelled"
    else:
        why = "the time had been booked by someone else before your payment arrived"
    ref = f" Receipt {reference}." if reference else ""
    manage = manage_link(booking)
    return _content(
        booking,
        f"Your payment will be refunded: {booking.service.name}",
        [
            f"{booking.clinic.name} received {money(amount)} for your {booking.service.name} on "
            f"{long_time(booking)}, but {why}.",
            f"{booking.clinic.name} will refund the payment and be in touch.",
            f"M-Pesa receipt: {reference}" if reference else "",
        ],
        f"{booking.clinic.name}: {money(amount)} received for {booking.service.name} {short_time(booking)}, but "
        f"{why}. The clinic will refund you.{ref} {manage}",
        [("See your booking", manage)],
    )


def reminder(booking: Booking, *, hours: int) -> Content:
    what = f"{booking.service.name} with {booking.practitioner.display_name}"
    where_line, where_text = _where(booking)
    manage = manage_link(booking)
    join = patient_join_link(booking) if booking.is_online else ""
    soon = "tomorrow" if hours >= 20 else f"in {hours} hour{'s' if hours != 1 else ''}"
    return _content(
        booking,
        f"Reminder: {what}, {short_time(booking)}",
        [f"Your {what} is {soon}: {long_time(booking)}.", where_line],
        f"Reminder from {booking.clinic.name}: {booking.service.name} {soon}, {short_time(booking)}. {where_text}",
        ([("Join the meeting", join)] if join else []) + [("Manage your booking", manage)],
    )


def new_booking(booking: Booking) -> Content:
    status = booking.get_status_display().lower()
    link = dashboard_link(booking)
    patient = first_name(booking.patient.name)
    return _content(
        booking,
        f"New booking: {booking.service.name}, {short_time(booking)}",
        [f"{patient} booked {booking.service.name} on {long_time(booking)} ({status})."],
        f"New booking: {booking.service.name} with {patient}, {short_time(booking)} ({status}). {link}",
        [("Open the booking", link)],
    )


def booking_cancelled(booking: Booking) -> Content:
    by = "the patient" if booking.cancelled_by == "patient" else "the clinic"
    link = dashboard_link(booking)
    return _content(
        booking,
        f"Cancelled: {booking.service.name}, {short_time(booking)}",
        [
            f"{booking.service.name} with {first_name(booking.patient.name)} on {long_time(booking)} "
            f"was cancelled by {by}.",
            _reason(booking),
        ],
        f"Cancelled by {by}: {booking.service.name} {short_time(booking)}. {link}",
        [("Open the booking", link)],
    )


def alert(*, subject: str, text: str, link: str) -> Content:
    return Content(subject=subject, lines=[text], text=f"{text} {link}", actions=[("Open ClinicPro", link)])
