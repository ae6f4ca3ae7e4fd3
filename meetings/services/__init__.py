"""The one caller of meeting providers: it alone writes status, attempts, errors and the audit trail.

Exactly once. A meeting row is claimed by a conditional UPDATE (pending or
failed -> creating) before any provider call, and every later write is
conditional on that same claim (status and claimed_at), so a duplicated
signal, a redelivered task or two racing workers make one meeting. The
database allows one current meeting per booking; providers receive the row's
idempotency key, and a retry after an attempt that may have reached the
vendor looks for that meeting (provider.find) before creating again.

Provider calls are never made inside a database transaction: a slow vendor
must not hold row locks. Each step that writes is atomic on its own.

Failures. A transient error puts the meeting back to pending and raises
RetryLater for the task to retry with backoff. A permanent error, a refused
credential, or the last attempt moves the booking to the clinic's fallback
provider (then the self-hosted rooms), marked as a fallback with a reason a
practitioner can read.
"""

from .cancellation import meeting_cancel_for_booking, meeting_regenerate, meeting_retire
from .common import (
    MeetingError,
    RetryLater,
    current_meeting,
    max_attempts,
    meeting_request_for,
    needs_meeting,
)
from .lifecycle import fallback_reason, meeting_create, meeting_ensure_for_booking, meeting_update_for_reschedule

__all__ = [
    "MeetingError",
    "RetryLater",
    "current_meeting",
    "fallback_reason",
    "max_attempts",
    "meeting_cancel_for_booking",
    "meeting_create",
    "meeting_ensure_for_booking",
    "meeting_regenerate",
    "meeting_request_for",
    "meeting_retire",
    "meeting_update_for_reschedule",
    "needs_meeting",
]
