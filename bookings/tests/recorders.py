"""A recorder of the booking signals, shared by the lifecycle tests."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.dispatch import Signal

from bookings import signals

# The after-commit signals; `booking_changing`, their in-transaction twin, is recorded apart.
SIGNALS: dict[str, Signal] = {
    name: value
    for name, value in vars(signals).items()
    if isinstance(value, Signal) and value is not signals.booking_changing
}


@dataclass(frozen=True)
class Sent:
    name: str
    booking_id: int
    extra: dict[str, Any]
    inside_transaction: bool


class SignalLog:
    """Connects to every booking signal while open and keeps what was sent, in order."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._receivers: dict[str, Any] = {}

    def __enter__(self) -> "SignalLog":
        for name, signal in SIGNALS.items():

            def receiver(sender: Any, booking: Any, _name: str = name, **extra: Any) -> None:
                extra.pop("signal", None)
                self.sent.append(Sent(_name, booking.pk, extra, connection.in_atomic_block))

            self._receivers[name] = receiver
            signal.connect(receiver, weak=False)
        return self

    def __exit__(self, *exc: Any) -> None:
        for name, receiver in self._receivers.items():
            SIGNALS[name].disconnect(receiver)

    def names(self) -> list[str]:
        return [sent.name for sent in self.sent]

    def counts(self) -> Counter:
        return Counter((sent.name, sent.booking_id) for sent in self.sent)

    def clear(self) -> None:
        self.sent.clear()
