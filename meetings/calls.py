"""Every provider call timed and written to the audit trail, whatever its outcome.

Errors are recorded as words a person can act on, never with tokens or links:
provider messages are written by our provider classes, and anything else is
reduced to its exception type.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import requests

from .models import EventOutcome, Meeting
from .providers.base import MeetingProviderError
from .registry import provider_label

logger = logging.getLogger(__name__)

T = TypeVar("T")


def describe(error: MeetingProviderError) -> str:
    status = f" (HTTP {error.status_code})" if error.status_code else ""
    return f"{error}{status}"


def call_provider(*, meeting: Meeting, action: str, actor: str, call: Callable[[], T]) -> T:
    """Run one provider call for `meeting`, audit it, and raise only MeetingProviderError."""
    started = time.monotonic()
    try:
        result = call()
    except MeetingProviderError as exc:
        _audit(meeting, action, actor, started, EventOutcome.ERROR, describe(exc))
        raise
    except requests.RequestException as exc:
        # A provider that let a transport error through: transient. Its message may hold a URL with a token.
        message = f"{provider_label(meeting.provider)} could not be reached ({type(exc).__name__})."
        _audit(meeting, action, actor, started, EventOutcome.ERROR, message)
        raise MeetingProviderError(message) from exc
    except Exception as exc:
        logger.error(
            "Meeting provider %s raised %s on %s for meeting %s",
            meeting.provider,
            type(exc).__name__,
            action,
            meeting.pk,
            exc_info=True,
        )
        message = f"{provider_label(meeting.provider)} failed unexpectedly ({type(exc).__name__})."
        _audit(meeting, action, actor, started, EventOutcome.ERROR, message)
        raise MeetingProviderError(message) from exc
    _audit(meeting, action, actor, started, EventOutcome.OK, "")
    return result


def _audit(meeting: Meeting, action: str, actor: str, started: float, outcome: str, error: str) -> None:
    meeting.audit(action, outcome, duration_ms=round((time.monotonic() - started) * 1000), error=error, actor=actor)
