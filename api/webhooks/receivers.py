"""Listeners that turn in-transaction signals into webhook deliveries (written in that transaction)."""

from typing import Any

from bookings import hooks
from bookings.models import Booking
from bookings.signals import booking_changing
from payments.models import Invoice

from ..models import WebhookEvent
from ..renderers import as_json
from ..serializers import attempt_doc, booking_doc, invoice_doc, payment_doc
from .outbox import subscribed_endpoints, webhook_enqueue

BOOKING_EVENTS = {
    "created": WebhookEvent.BOOKING_CREATED,
    "confirmed": WebhookEvent.BOOKING_CONFIRMED,
    "rescheduled": WebhookEvent.BOOKING_RESCHEDULED,
    "cancelled": WebhookEvent.BOOKING_CANCELLED,
}
PAYMENT_EVENTS = {"completed": WebhookEvent.PAYMENT_COMPLETED, "failed": WebhookEvent.PAYMENT_FAILED}


def on_booking_changing(sender: Any, booking: Booking, event: str, **kwargs: Any) -> None:
    event_type = BOOKING_EVENTS.get(event)
    if event_type is None:
        return
    endpoints = subscribed_endpoints(booking.clinic, event_type)
    if not endpoints:
        return
    data: dict[str, Any] = {"booking": booking_doc(booking)}
    if event == "rescheduled":
        zone = booking.clinic.zone
        data["previous_starts_at"] = kwargs["previous_starts_at"].astimezone(zone)
        data["previous_ends_at"] = kwargs["previous_ends_at"].astimezone(zone)
    if event == "cancelled":
        data["was_confirmed"] = bool(kwargs.get("was_confirmed"))
    webhook_enqueue(clinic=booking.clinic, event_type=event_type, data=as_json(data), endpoints=endpoints)


def _meeting_data(meeting: Any, booking: Booking) -> dict[str, Any]:
    conference = hooks.conference_for(booking, "patient")
    return {
        "booking_id": booking.pk,
        "meeting": {
            "provider": getattr(meeting, "provider", ""),
            "status": getattr(meeting, "status", ""),
            "is_fallback": bool(getattr(meeting, "is_fallback", False)),
            # The patient's ClinicPro join link; host links never leave ClinicPro in a webhook.
            "join_url": conference.join_url if conference else None,
        },
    }


def on_meeting_ready(sender: Any, meeting: Any, booking: Booking, **kwargs: Any) -> None:
    endpoints = subscribed_endpoints(booking.clinic, WebhookEvent.MEETING_READY)
    if endpoints:
        data = as_json(_meeting_data(meeting, booking))
        webhook_enqueue(clinic=booking.clinic, event_type=WebhookEvent.MEETING_READY, data=data, endpoints=endpoints)


def on_meeting_changed(sender: Any, meeting: Any, booking: Booking, reason: str = "", **kwargs: Any) -> None:
    endpoints = subscribed_endpoints(booking.clinic, WebhookEvent.MEETING_CHANGED)
    if endpoints:
        data = as_json({**_meeting_data(meeting, booking), "reason": reason})
        webhook_enqueue(clinic=booking.clinic, event_type=WebhookEvent.MEETING_CHANGED, data=data, endpoints=endpoints)


def on_payment_changing(sender: Any, invoice: Invoice, booking: Booking, event: str, **kwargs: Any) -> None:
    event_type = PAYMENT_EVENTS.get(event)
    if event_type is None:
        return
    endpoints = subscribed_endpoints(booking.clinic, event_type)
    if endpoints:
        data = as_json(payment_event_data(invoice, booking, event, **kwargs))
        webhook_enqueue(clinic=booking.clinic, event_type=event_type, data=data, endpoints=endpoints)


def payment_event_data(invoice: Invoice, booking: Booking, event: str, **kwargs: Any) -> dict[str, Any]:
    """The invoice as the API shows it, and what settled it (completed) or why the prompt failed (failed)."""
    data: dict[str, Any] = {"booking_id": booking.pk, "invoice": invoice_doc(invoice)}
    zone = booking.clinic.zone
    if event == "completed":
        payment = kwargs.get("payment")
        data["payment"] = payment_doc(payment, zone) if payment is not None else None
    else:
        attempt = kwargs.get("attempt")
        data["reason"] = kwargs.get("reason", "") or ""
        data["attempt"] = attempt_doc(attempt, zone) if attempt is not None else None
    return data


def connect() -> None:
    from meetings.signals import meeting_changed, meeting_ready
    from payments.signals import payment_changing

    booking_changing.connect(on_booking_changing, dispatch_uid="api.webhooks.booking_changing")
    meeting_ready.connect(on_meeting_ready, dispatch_uid="api.webhooks.meeting_ready")
    meeting_changed.connect(on_meeting_changed, dispatch_uid="api.webhooks.meeting_changed")
    payment_changing.connect(on_payment_changing, dispatch_uid="api.webhooks.payment_changing")
