from .availability import AvailabilityException, WorkingHours
from .booking import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from .patient import ContactChannel, Patient
from .practitioner import Practitioner
from .service import ConfirmationPolicy, Service

__all__ = [
    "ACTIVE_STATUSES",
    "AvailabilityException",
    "Booking",
    "BookingStatus",
    "CancelledBy",
    "ConfirmationPolicy",
    "ContactChannel",
    "Patient",
    "Practitioner",
    "Service",
    "WorkingHours",
]
