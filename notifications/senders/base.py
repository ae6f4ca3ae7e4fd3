"""What every sender does, and the one error type they all raise.

A sender only talks to its vendor and maps the vendor's answers; the caller
(notifications.delivery) records status, attempts and errors.
"""

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from clinicpro.http import TimeoutSession, http_session

if TYPE_CHECKING:
    from ..models import ClinicMessaging, Message


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # Delivery is final when the vendor reports no later status (email through a plain SMTP backend).
    delivered: bool = False


class SendError(Exception):
    """A send that did not go through.

    `permanent`: sending again cannot help (bad number, rejected sender id, no balance, opted out).
    `retry_after`: seconds the vendor asked us to wait. `opted_out`: the recipient said STOP.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None, opted_out: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.opted_out = opted_out


class Sender:
    key: ClassVar[str]
    channels: ClassVar[tuple[str, ...]]

    def __init__(self, config: "ClinicMessaging") -> None:
        self.config = config

    def send(self, message: "Message") -> SendResult:
        raise NotImplementedError


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds; HTTP dates are taken as the one-minute default (rare from SMS gateways)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 60.0


_local = threading.local()


def gateway_session() -> TimeoutSession:
    """One session per worker thread, so its connections to a gateway are kept alive.

    Callers pass `timeout=settings.HTTP_TIMEOUT_SECONDS` on each call: the setting may change after the
    session was made.
    """
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = http_session()
    return session
