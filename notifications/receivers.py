"""Signals of bookings, payments and meetings become outbox rows, and queued sends after commit.

Rows are written in the transaction of the change (`booking_changing`,
`payment_changing`, `meeting_ready`/`meeting_changed`), so they commit or roll
back with it. Sends are queued only once that transaction has committed: from
bookings' after-commit signals, and through `transaction.on_commit` for the
signals that are only sent inside a transaction.
"""

import logging
from typing import Any

from django.db import transaction

from bookings.models import Booking, BookingStatus

from . import compose
from .delivery import due_message_ids
from .models import Kind
from .outbox import alert_write, patient_messages_write, practitioner_messages_write
from .payment_messages import write_payment_messages
from .tracking import email_tracking_received

logger = logging.getLogger(__name__)

UNCONFIRMED = (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT)


def write_booking_messages(sender: Any, booking: Booking, event: str, **kwargs: Any) -> None:
    """Runs inside the booking's transaction: a failure here must never cost the patient their booking."""
    try:
        with transaction.atomic():
            _write_booking_messages(booking, event)
    except Exception:
        logger.exception("Writing the %s messages of booking %s failed", event, booking.pk)


def _write_booking_messages(booking: Booking, event: str) -> None:
    if event == "created":
        if booking.status in UNCONFIRMED:
            patient_messages_write(booking, Kind.RECEIVED, compose.received(booking))
        practitioner_messages_write(booking, Kind.NEW_BOOKING, compose.new_booking(booking))
    elif event == "confirmed":
        patient_messages_write(booking, Kind.CONFIRMED, compose.confirmed(booking))
    elif event == "rescheduled":
        patient_messages_write(booking, Kind.RESCHEDULED, compose.rescheduled(booking))
    elif event == "cancelled":
        patient_messages_write(booking, Kind.CANCELLED, compose.cancelled(booking))
        practitioner_messages_write(booking, Kind.BOOKING_CANCELLED, compose.booking_cancelled(booking))
    elif event == "declined":
        patient_messages_write(booking, Kind.DECLINED, compose.declined(booking))
    elif event == "hold_expired":
        patient_messages_write(booking, Kind.HOLD_EXPIRED, compose.hold_expired(booking))


def queue_booking_messages(sender: Any, booking: Booking, **kwargs: Any) -> None:
    from .tasks import send_message

    booking_id = booking.pk

    def queue() -> None:
        for message_id in due_message_ids(booking_id=booking_id):
            send_message.delay(message_id)

    transaction.on_commit(queue)


def write_meeting_changed(sender: Any, meeting: Any, booking: Booking, reason: str = "", **kwargs: Any) -> None:
    patient_messages_write(
        booking, Kind.MEETING_CHANGED, compose.meeting_changed(booking, reason=reason), suffix=f"meeting:{meeting.pk}"
    )
    if getattr(meeting, "is_fallback", False):
        _fallback_alert(meeting, booking)
    queue_booking_messages(sender, booking)


def write_meeting_ready(sender: Any, meeting: Any, booking: Booking, **kwargs: Any) -> None:
    # The confirmation already carries the /j/ link, which works before the room exists; only a fallback is news.
    if getattr(meeting, "is_fallback", False):
        _fallback_alert(meeting, booking)
        queue_booking_messages(sender, booking)


def _fallback_alert(meeting: Any, booking: Booking) -> None:
    because = getattr(meeting, "fallback_reason", "") or "the chosen platform failed"
    alert_write(
        clinic=booking.clinic,
        booking=booking,
        cause=f"meeting:{meeting.pk}:fallback",
        subject=f"Backup room used: {booking.service.name}, {compose.short_time(booking)}",
        text=f"The meeting for {booking.service.name} on {compose.short_time(booking)} uses the backup room "
        f"because {because}. The patient's link keeps working.",
        link=compose.dashboard_link(booking),
    )


def write_reconnect_alert(sender: Any, clinic: Any, provider: str, practitioner: Any = None, **kwargs: Any) -> None:
    from django.conf import settings

    who = practitioner.display_name if practitioner is not None else "the clinic"
    with transaction.atomic():
        alert_write(
            clinic=clinic,
            practitioner=practitioner,
            cause=f"reconnect:{provider}:{getattr(practitioner, 'pk', 'clinic')}",
            subject=f"Reconnect {provider.replace('_', ' ').title()}",
            text=f"The {provider.replace('_', ' ')} connection of {who} stopped working and must be reconnected. "
            "Until then new meetings use the backup room.",
            link=settings.SITE_URL + "/integrations/",
        )
    transaction.on_commit(_queue_alerts)


def _queue_alerts() -> None:
    from .tasks import send_due_messages

    send_due_messages.delay()


def connect() -> None:
    from anymail.signals import tracking

    from bookings import signals as booking_signals
    from meetings import signals as meeting_signals
    from payments import signals as payment_signals

    booking_signals.booking_changing.connect(write_booking_messages, dispatch_uid="notifications.booking_changing")
    for signal in booking_signals.EVENTS:
        signal.connect(queue_booking_messages, dispatch_uid=f"notifications.queue.{booking_signals.EVENTS[signal]}")
    payment_signals.payment_changing.connect(write_payment_messages, dispatch_uid="notifications.payment_changing")
    # Connected after the writer, so it runs after it: queues what the payment wrote, once that commits.
    payment_signals.payment_changing.connect(queue_booking_messages, dispatch_uid="notifications.queue.payment")
    meeting_signals.meeting_changed.connect(write_meeting_changed, dispatch_uid="notifications.meeting_changed")
    meeting_signals.meeting_ready.connect(write_meeting_ready, dispatch_uid="notifications.meeting_ready")
    tracking.connect(email_tracking_received, dispatch_uid="notifications.email_tracking")
    meeting_signals.provider_credentials_rejected.connect(
        write_reconnect_alert, dispatch_uid="notifications.reconnect_alert"
    )
