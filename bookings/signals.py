"""What bookings tells the rest of ClinicPro. Sent once, after the transaction commits.

Every signal is sent with `sender=Booking` and `booking=<Booking>`;
`booking_rescheduled` also carries `previous_starts_at` and `previous_ends_at`;
`booking_cancelled` carries `was_confirmed` (whether the slot had been confirmed,
so listeners know a meeting or payment may exist). A transaction that rolls back
sends nothing.
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
