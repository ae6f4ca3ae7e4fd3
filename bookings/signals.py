"""What bookings tells the rest of ClinicPro. Sent once, after the transaction commits.

Every signal is sent with `sender=Booking` and `booking=<Booking>`;
`booking_rescheduled` also carries `previous_starts_at` and `previous_ends_at`;
`booking_cancelled` carries `was_confirmed` (whether the slot had been confirmed,
so listeners know a meeting or payment may exist). A transaction that rolls back
sends nothing.

`booking_changing` is the durable twin of all of them: it is sent *inside* the
transaction that makes the change, before it commits, with the same arguments
plus `event` (the name in `EVENTS`, e.g. "confirmed"). Listeners that must not
lose work (a meeting to create, a message to send, a webhook to deliver) write
their row there, so it commits or rolls back together with the change; an error
in such a listener rolls the change back. Queue tasks from the after-commit
signals, never from this one.
"""

from django.dispatch import Signal

booking_created = Signal()
booking_confirmed = Signal()
booking_rescheduled = Signal()
booking_cancelled = Signal()
booking_declined = Signal()
booking_hold_expired = Signal()
booking_completed = Signal()
booking_no_show = Signal()

booking_changing = Signal()

EVENTS: dict[Signal, str] = {
    booking_created: "created",
    booking_confirmed: "confirmed",
    booking_rescheduled: "rescheduled",
    booking_cancelled: "cancelled",
    booking_declined: "declined",
    booking_hold_expired: "hold_expired",
    booking_completed: "completed",
    booking_no_show: "no_show",
}
