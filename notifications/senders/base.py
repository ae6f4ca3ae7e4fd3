"""What every sender does, and the one error type they all raise.

A sender only talks to its vendor and maps the vendor's answers; the caller
(notifications.delivery) records status, attempts and errors.
"""

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from clinicpro.http import TimeoutSession, http_session
from integrations.vendors.http import VendorError, retry_after_seconds

if TYPE_CHECKING:
    from ..models import ClinicMessaging, Message


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # Delivery is final when the vendor reports no later status (email through a plain SMTP backend).
    delivered: bool = False


class SendError(VendorError):
    """A send that did not go through: the vendors' one error type, plus whether the recipient opted out.

    `permanent`: sending again cannot help (bad number, rejected sender id, no balance, opted out).
    `retry_after`: seconds the vendor asked us to wait. `opted_out`: the recipient said STOP.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None, opted_out: bool = False
    ) -> None:
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.opted_out = opted_out


class Sender:
    key: ClassVar[str]
    channels: ClassVar[tuple[str, ...]]

    def __init__(self, config: "ClinicMessaging") -> None:
        self.config = config

    def send(self, message: "Message") -> SendResult:
        raise NotImplementedError


__all__ = ["SendError", "SendResult", "Sender", "gateway_session", "retry_after_seconds"]

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
