"""Writing messages into the outbox, inside the transaction of the change that causes them.

Each row is unique per (clinic, kind, channel, address, dedupe key): the key
names the booking and its sequence (plus the reminder offset, meeting or alert
cause), so a duplicated signal or a replayed change writes nothing new.
"""

from django.conf import settings
from django.template.loader import render_to_string

from bookings import ics
from bookings.models import Booking, Practitioner
from clinicpro.models import Clinic

from . import compose
from .models import Channel, Kind, Message
from .recipients import Recipient, owner_recipients, patient_recipients, practitioner_recipients
from .sms_length import sms_length
from .unsubscribe import unsubscribe_url

# Booking messages that carry the calendar invitation.
INVITATION_KINDS = (Kind.CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED)


def booking_key(booking: Booking, suffix: str = "") -> str:
    return f"booking:{booking.pk}:seq:{booking.sequence}" + (f":{suffix}" if suffix else "")


def _invitation(booking: Booking, recipient: Recipient) -> str:
    clinic = booking.clinic
    organizer = clinic.contact_email or settings.NOTIFICATIONS_ORGANIZER_EMAIL
    calendar = ics.booking_invitation(
        booking,
        organizer_email=organizer,
        organizer_name=clinic.name,
        attendee_email=recipient.address,
        attendee_name=recipient.name,
    )
    return calendar.to_ical().decode()


def _email_parts(clinic: Clinic, recipient: Recipient, content: compose.Content) -> tuple[str, str]:
    context = {
        "content": content,
        "clinic": clinic,
        "greeting": f"Hello {compose.first_name(recipient.name)}" if recipient.name else "",
        "unsubscribe_url": unsubscribe_url(clinic_id=clinic.pk, channel=Channel.EMAIL, address=recipient.address),
    }
    return render_to_string("notifications/email.txt", context), render_to_string("notifications/email.html", context)


def _row(
    *,
    clinic: Clinic,
    booking: Booking | None,
    kind: str,
    recipient: Recipient,
    content: compose.Content,
    dedupe_key: str,
    with_invitation: bool,
) -> Message:
    message = Message(
        clinic=clinic,
        booking=booking,
        kind=kind,
        channel=recipient.channel,
        recipient_role=recipient.role,
        to=recipient.address,
        dedupe_key=dedupe_key,
        subject=content.subject[:200],
    )
    if recipient.channel == Channel.EMAIL:
        message.body, message.html = _email_parts(clinic, recipient, content)
        if with_invitation and booking is not None:
            message.ics = _invitation(booking, recipient)
    else:
        message.body = content.text
        message.template_variables = content.template_variables if recipient.channel == Channel.WHATSAPP else {}
        length = sms_length(content.text)
        message.parts, message.encoding = length.parts, length.encoding
    return message


def messages_write(
    *,
    clinic: Clinic,
    booking: Booking | None,
    kind: str,
    recipients: list[Recipient],
    content: compose.Content,
    dedupe_key: str,
    with_invitation: bool = False,
) -> int:
    """Write one queued message per recipient unless it exists already. Returns how many were offered."""
    rows = [
        _row(
            clinic=clinic,
            booking=booking,
            kind=kind,
            recipient=r,
            content=content,
            dedupe_key=dedupe_key,
            with_invitation=with_invitation,
        )
        for r in recipients
    ]
    # ON CONFLICT DO NOTHING: the unique constraint keeps the message that is already there.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def patient_messages_write(booking: Booking, kind: str, content: compose.Content, *, suffix: str = "") -> int:
    return messages_write(
        clinic=booking.clinic,
        booking=booking,
        kind=kind,
        recipients=patient_recipients(booking, kind),
        content=content,
        dedupe_key=booking_key(booking, suffix),
        with_invitation=kind in INVITATION_KINDS and booking.confirmed_at is not None,
    )


def practitioner_messages_write(booking: Booking, kind: str, content: compose.Content) -> int:
    return messages_write(
        clinic=booking.clinic,
        booking=booking,
        kind=kind,
        recipients=practitioner_recipients(booking.practitioner),
        content=content,
        dedupe_key=booking_key(booking),
    )


def alert_write(
    *,
    clinic: Clinic,
    cause: str,
    subject: str,
    text: str,
    link: str,
    booking: Booking | None = None,
    practitioner: Practitioner | None = None,
) -> int:
    """Tell the clinic's owners (and the practitioner concerned) once per cause."""
    recipients = owner_recipients(clinic)
    practitioner = practitioner or (booking.practitioner if booking is not None else None)
    if practitioner is not None:
        owners = {o.address for o in recipients}
        recipients += [r for r in practitioner_recipients(practitioner) if r.address not in owners]
    content = compose.alert(subject=subject, text=text, link=link)
    return messages_write(
        clinic=clinic, booking=booking, kind=Kind.ALERT, recipients=recipients, content=content, dedupe_key=cause
    )


def resend_copy(message: Message, *, attempt: int) -> Message:
    """A fresh queued copy of a message, for staff who send it again; the original stays as history."""
    return Message.objects.create(
        clinic=message.clinic,
        booking=message.booking,
        kind=message.kind,
        channel=message.channel,
        recipient_role=message.recipient_role,
        to=message.to,
        dedupe_key=f"{message.dedupe_key}:resend:{attempt}",
        subject=message.subject,
        body=message.body,
        html=message.html,
        ics=message.ics,
        template_variables=message.template_variables,
        parts=message.parts,
        encoding=message.encoding,
    )
