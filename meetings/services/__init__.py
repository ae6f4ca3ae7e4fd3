"""The one caller of meeting providers: it alone writes status, attempts, errors and the audit trail.

Durable. A booking change writes what its meeting is owed (a pending row, a
move or a deletion due now) inside the booking's own transaction
(`intent`); a task queued after commit is only the fast path, and a beat pass
runs whatever is due or abandoned (`work`). Retries are `next_attempt_at` on
the row, never a message held by the broker.

Exactly once. A worker takes a short lease on a row with a conditional UPDATE
before any provider call, and every later write is conditional on that claim,
so a duplicated signal, a redelivered task or two racing workers make one
meeting. The database allows one current meeting per booking; providers receive
the row's idempotency key, and when an answer may have been lost the row says
so and the next attempt (or the deletion) looks for that meeting first
(provider.find).

Provider calls are never made inside a database transaction or under a row lock.

Failures. A transient error schedules the next attempt with backoff, full
jitter and Retry-After. A permanent error, a refused credential, or the last
attempt moves the booking to the clinic's fallback provider (then the
self-hosted rooms), marked as a fallback with a reason a practitioner can read.
"""

from .cancellation import meeting_cancel_for_booking, meeting_regenerate, meeting_retire
from .common import MeetingError, backoff_seconds, current_meeting, max_attempts, meeting_request_for, needs_meeting
from .intent import (
    meeting_intent_for_cancelled,
    meeting_intent_for_confirmed,
    meeting_intent_for_rescheduled,
    meeting_links_renew_intent,
)
from .lifecycle import (
    fallback_reason,
    meeting_create,
    meeting_ensure_for_booking,
    meeting_renew_links,
    meeting_update_for_reschedule,
)
from .work import meeting_process, meetings_run_due, reserve_next_due

__all__ = [
    "MeetingError",
    "backoff_seconds",
    "current_meeting",
    "fallback_reason",
    "max_attempts",
    "meeting_cancel_for_booking",
    "meeting_create",
    "meeting_ensure_for_booking",
    "meeting_intent_for_cancelled",
    "meeting_intent_for_confirmed",
    "meeting_intent_for_rescheduled",
    "meeting_links_renew_intent",
    "meeting_process",
    "meeting_regenerate",
    "meeting_renew_links",
    "meeting_request_for",
    "meeting_retire",
    "meeting_update_for_reschedule",
    "meetings_run_due",
    "needs_meeting",
    "reserve_next_due",
]
