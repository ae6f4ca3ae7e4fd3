"""What every sender does, and the one error type they all raise.

A sender only talks to its vendor and maps the vendor's answers; the caller
(notifications.delivery) records status, attempts and errors.
"""

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

import requests
from urllib3.exceptions import ConnectTimeoutError

from clinicpro.http import TimeoutSession, http_session
from integrations.vendors.http import VendorError, retry_after_seconds

if TYPE_CHECKING:
    from ..models import ClinicMessaging, Message


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # Delivery is final when the vendor reports no later status (email through a plain SMTP backend).
    delivered: bool = False
    # A message found at the vendor after a lost answer may have failed there already: the vendor's reason.
    failure: str = ""


class SendError(VendorError):
    """A send that did not go through: the vendors' one error type, plus whether the recipient opted out.

    `permanent`: sending again cannot help (bad number, rejected sender id, no balance, opted out).
    `retry_after`: seconds the vendor asked us to wait. `opted_out`: the recipient said STOP.
    `answer_lost`: the request may have reached the vendor but its answer never reached us (a timeout,
    a dropped connection, a proxy's 502/504), so the vendor may have sent the message after all.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        opted_out: bool = False,
        answer_lost: bool = False,
    ) -> None:
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.opted_out = opted_out
        self.answer_lost = answer_lost


class LostAnswer(StrEnum):
    """What the next attempt does when an earlier attempt's answer was lost."""

    LOOK = "look"  # the vendor lists what it sent: adopt the earlier message if it is there, else send
    RESEND = "resend"  # sending again is harmless (an email keeps its Message-ID, so mailboxes keep one)
    ASK_STAFF = "ask_staff"  # no way to tell: mark it "may have been sent" and leave resending to staff


# Statuses a proxy or load balancer answers when the vendor's own answer did not come back through it.
GATEWAY_STATUSES = frozenset({502, 504})


class Sender:
    key: ClassVar[str]
    channels: ClassVar[tuple[str, ...]]
    lost_answer: ClassVar[LostAnswer] = LostAnswer.ASK_STAFF

    def __init__(self, config: "ClinicMessaging") -> None:
        self.config = config

    def send(self, message: "Message") -> SendResult:
        raise NotImplementedError

    def find_sent(self, message: "Message") -> list[SendResult]:
        """What the vendor made for this message in earlier attempts whose answer was lost, oldest first.

        Only LOOK senders can; the caller leaves out ids already recorded on other messages.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot look for messages it sent.")


def transport_failure(exc: requests.RequestException, *, vendor: str) -> SendError:
    """No answer from the vendor. Only a connection never made is sure not to have sent anything."""
    # requests wraps urllib3's MaxRetryError; its reason is a ConnectTimeoutError for refused and unresolved
    # connections too (NewConnectionError is one).
    wrapped = exc.args[0] if exc.args else None
    never_connected = isinstance(exc, requests.ConnectTimeout) or isinstance(
        getattr(wrapped, "reason", None), ConnectTimeoutError
    )
    if never_connected:
        return SendError(f"Could not reach {vendor} ({type(exc).__name__}).")
    words = "did not answer in time" if isinstance(exc, requests.Timeout) else "dropped the connection"
    return SendError(f"{vendor} {words}; it may have sent the message.", answer_lost=True)


__all__ = [
    "GATEWAY_STATUSES",
    "LostAnswer",
    "SendError",
    "SendResult",
    "Sender",
    "gateway_session",
    "retry_after_seconds",
    "transport_failure",
]

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
