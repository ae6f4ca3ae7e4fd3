from .availability import AvailabilityException, WorkingHours
from .booking import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from .patient import ContactChannel, Patient
from .practitioner import Practitioner
from .service import LONGEST_SERVICE_MINUTES, ConfirmationPolicy, Service

__all__ = [
    "ACTIVE_STATUSES",
    "LONGEST_SERVICE_MINUTES",
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
