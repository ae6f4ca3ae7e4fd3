"""What every vendor client shares: one error type, one view of an answer, Retry-After and UTC times."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from bookings.formatting import utc_stamp


class VendorError(Exception):
    """A vendor call failed.

    permanent: retrying the same call will not help (bad request, forbidden, quota for the day).
    retry_after: seconds the vendor asked us to wait (429 Retry-After), if any.
    reconnect: the credential is expired or revoked; the owner must reconnect the account.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        reconnect: bool = False,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent or reconnect
        self.retry_after = retry_after
        self.reconnect = reconnect
        self.status_code = status_code


@dataclass(frozen=True)
class VendorResponse:
    """One answer from a vendor API, as a vendor's error mapping reads it."""

    status: int
    body: Any
    headers: Mapping[str, str]

    @classmethod
    def from_requests(cls, response: requests.Response) -> "VendorResponse":
        return cls(status=response.status_code, body=parse_json(response.content), headers=response.headers)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        # requests' headers are case-insensitive already; httplib2's are lower-cased dicts.
        return self.headers.get(name) or self.headers.get(name.lower())

    @property
    def retry_after(self) -> float | None:
        return retry_after_seconds(self.header("Retry-After"))


def parse_json(content: bytes | str | None) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: vendors send either seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


# UTC as 2026-01-05T09:00:00Z, the form every vendor accepts.
utc_timestamp = utc_stamp


def transport_error(exc: requests.RequestException, *, vendor: str) -> VendorError:
    """No answer (timeout, refused connection): the call may or may not have happened, so retry."""
    if isinstance(exc, requests.Timeout):
        return VendorError(f"{vendor} did not answer in time.")
    return VendorError(f"Could not reach {vendor} ({type(exc).__name__}).")
