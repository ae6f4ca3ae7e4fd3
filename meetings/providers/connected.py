"""What the providers backed by a connected account (Google, Zoom, Microsoft) share.

Tokens come only from integrations (which refreshes them under a lock); a vendor
401 earns one forced refresh and one retry, then the owner must reconnect.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests

from integrations import tokens
from integrations.errors import ReconnectRequired, TokenRefreshFailed

from .base import MeetingProviderError

T = TypeVar("T")

# The meeting's idempotency key, written where Zoom lets us find it again.
MARKER_PREFIX = "clinicpro-meeting:"


@dataclass(frozen=True)
class VendorResponse:
    """One answer from a vendor API, as `raise_for_response` reads it."""

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


def connection_token(connection: Any, *, vendor: str, fresh: bool = False) -> str:
    """A valid access token for `connection`, mapping integrations' failures onto the provider error."""
    try:
        return tokens.force_refresh(connection) if fresh else tokens.access_token_for(connection)
    except ReconnectRequired as exc:
        raise MeetingProviderError(
            f"The {vendor} connection needs to be reconnected on the integrations page ({exc}).", reconnect=True
        ) from exc
    except TokenRefreshFailed as exc:
        raise MeetingProviderError(
            f"Could not refresh the {vendor} access token ({exc}).", retry_after=getattr(exc, "retry_after", None)
        ) from exc


def with_fresh_token_on_401(connection: Any, *, vendor: str, call: Callable[[str], T]) -> T:
    """Run `call(access_token)`; on a 401, force one refresh and run it once more.

    A second 401 with a token the vendor just issued means the grant itself is
    gone, so the error (already `reconnect`) goes up as it is.
    """
    try:
        return call(connection_token(connection, vendor=vendor))
    except MeetingProviderError as exc:
        if exc.status_code != 401:
            raise
    return call(connection_token(connection, vendor=vendor, fresh=True))


def transport_error(exc: requests.RequestException, *, vendor: str) -> MeetingProviderError:
    """No answer (timeout, refused connection): the call may or may not have happened, so retry."""
    if isinstance(exc, requests.Timeout):
        return MeetingProviderError(f"{vendor} did not answer in time.")
    return MeetingProviderError(f"Could not reach {vendor} ({type(exc).__name__}).")


def marker_for(idempotency_key: str) -> str:
    return f"{MARKER_PREFIX}{idempotency_key}"


def isoformat_z(moment: datetime) -> str:
    """UTC as 2026-01-05T09:00:00Z, the form every vendor accepts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def send_provider_invites(clinic: Any) -> bool:
    """Whether the clinic asked the vendor to mail its own invitations to the patient (off unless opted in)."""
    try:
        from meetings.models import ClinicMeetingSettings
    except ImportError:
        return False
    clinic_settings = ClinicMeetingSettings.objects.filter(clinic=clinic).first()
    return bool(getattr(clinic_settings, "send_provider_invites", False))


def call_json(
    connection: Any,
    *,
    vendor: str,
    session: requests.Session,
    method: str,
    url: str,
    raise_for_response: Callable[[VendorResponse], None],
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """One JSON API call with the connection's bearer token, its answer mapped by the vendor's own function."""

    def call(access_token: str) -> Any:
        try:
            response = session.request(
                method, url, headers={**(headers or {}), "Authorization": f"Bearer {access_token}"}, **kwargs
            )
        except requests.RequestException as exc:
            raise transport_error(exc, vendor=vendor) from exc
        answer = VendorResponse.from_requests(response)
        raise_for_response(answer)
        return answer.body

    return with_fresh_token_on_401(connection, vendor=vendor, call=call)


def usable(connection: Any) -> Any:
    """The connection if it can be used now (integrations may hand back one that needs reconnecting)."""
    if connection is None or getattr(connection, "status", "active") != "active":
        return None
    return connection
