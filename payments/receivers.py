"""Bookings tell payments what happens to paid bookings; we answer inside their transaction."""

from typing import Any

from bookings.models import Booking
from bookings.signals import booking_changing

from .invoices import invoice_create_for_booking, invoice_follow_cancellation, invoice_follow_desk_payment


def on_booking_changing(sender: Any, booking: Booking, event: str, **kwargs: Any) -> None:
    if event == "created":
        invoice_create_for_booking(booking=booking)
    elif event == "cancelled":
        invoice_follow_cancellation(booking=booking)
    elif event == "confirmed":
        invoice_follow_desk_payment(booking=booking)


def connect() -> None:
    booking_changing.connect(on_booking_changing, dispatch_uid="payments.booking_changing")
