"""Calls with a connection's bearer token, for every vendor whose accounts are connected here.

Tokens come only from integrations.tokens (which refreshes them under a lock); a vendor
401 earns one forced refresh and one retry, then the owner must reconnect.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests

from clinicpro.http import http_session

from .. import tokens
from ..errors import ReconnectRequired, TokenRefreshFailed
from ..models import Connection, ConnectionStatus
from .base import Vendor
from .http import VendorError, VendorResponse, transport_error

T = TypeVar("T")


def connection_token(connection: Connection, *, vendor: str, fresh: bool = False) -> str:
    """A valid access token for `connection`, mapping integrations' failures onto VendorError."""
    try:
        return tokens.force_refresh(connection) if fresh else tokens.access_token_for(connection)
    except ReconnectRequired as exc:
        raise VendorError(
            f"The {vendor} connection needs to be reconnected on the integrations page ({exc}).", reconnect=True
        ) from exc
    except TokenRefreshFailed as exc:
        raise VendorError(f"Could not refresh the {vendor} access token ({exc}).", retry_after=exc.retry_after) from exc


def with_fresh_token_on_401(connection: Connection, *, vendor: str, call: Callable[[str], T]) -> T:
    """Run `call(access_token)`; on a 401, force one refresh and run it once more.

    A second 401 with a token the vendor just issued means the grant itself is
    gone, so the error (already `reconnect`) goes up as it is.
    """
    try:
        return call(connection_token(connection, vendor=vendor))
    except VendorError as exc:
        if exc.status_code != 401:
            raise
    return call(connection_token(connection, vendor=vendor, fresh=True))


def call_json(
    connection: Connection,
    *,
    vendor: Vendor,
    session: requests.Session,
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """One JSON API call with the connection's bearer token, its answer read by the vendor's error mapping."""

    def call(access_token: str) -> Any:
        try:
            response = session.request(
                method, url, headers={**(headers or {}), "Authorization": f"Bearer {access_token}"}, **kwargs
            )
        except requests.RequestException as exc:
            raise transport_error(exc, vendor=vendor.label) from exc
        answer = VendorResponse.from_requests(response)
        vendor.error_mapping(answer)
        return answer.body

    return with_fresh_token_on_401(connection, vendor=vendor.label, call=call)


def usable(connection: Connection | None) -> Connection | None:
    """The connection if it can be used now (a selector may hand back one that needs reconnecting)."""
    if connection is None or connection.status != ConnectionStatus.ACTIVE:
        return None
    return connection


class JsonApi:
    """JSON calls against one vendor's API with one connection's token (Zoom's v2, Microsoft Graph...)."""

    def __init__(self, vendor: Vendor, connection: Connection, *, headers: Mapping[str, str] | None = None) -> None:
        self.vendor = vendor
        self.connection = connection
        self.headers = dict(headers or {})
        self._session = http_session()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The answer's JSON object ({} for an empty answer); VendorError as the vendor's mapping reads a failure."""
        body = call_json(
            self.connection,
            vendor=self.vendor,
            session=self._session,
            method=method,
            url=self.vendor.endpoints().api.rstrip("/") + path,
            headers=self.headers,
            **kwargs,
        )
        return body if isinstance(body, dict) else {}
