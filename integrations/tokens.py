"""The one way to get a usable access token for a connection.

Providers call `access_token_for(connection)` before every API call, and
`force_refresh(connection)` once when the vendor rejects a token we believed
valid (Zoom's code 124). A refresh happens under a lock (Redis when configured,
else a PostgreSQL advisory lock) and re-reads the row inside it, so tasks
racing on one expired token refresh it once and all use the result. No
transaction or row lock is open while the token endpoint is called. Every
token write goes through `connection_store_tokens`.

Call these outside a caller's transaction: a rotated refresh token (Zoom,
Microsoft) written inside one that later rolls back would be lost, and the
provider has already retired the old one.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
import requests
from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from clinicpro.http import http_session

from .errors import ReconnectRequired, TokenRefreshFailed
from .models import Connection, ConnectionStatus
from .vendors.base import Vendor
from .vendors.http import retry_after_seconds
from .vendors.registry import label as vendor_label
from .vendors.registry import vendor as vendor_for

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 30
# The first key of PostgreSQL advisory locks taken for token refreshes (the second is the connection id).
ADVISORY_LOCK_CLASS = 7301


class TokenEndpointRefused(Exception):
    """The token endpoint answered 4xx: the grant, the code or the client credentials are not accepted."""

    def __init__(self, message: str, *, error: str = "") -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_in: int | None
    refresh_token: str
    scope: str
    raw: dict[str, Any]


# --- Public API --------------------------------------------------------------------------


def access_token_for(connection: Connection) -> str:
    """A valid access token, refreshed first when it expires within the skew.

    Raises ReconnectRequired (the account must be connected again; the
    connection is marked needs_reconnect) or TokenRefreshFailed (transient).
    """
    if connection.status != ConnectionStatus.ACTIVE:
        raise ReconnectRequired(connection.pk, reconnect_message(connection))
    if not connection.expires_within(_skew_seconds(), now=timezone.now()):
        return connection.access_token
    return _refresh(connection, stale_token=None)


def force_refresh(connection: Connection) -> str:
    """A new access token although ours looked valid: the provider just rejected it.

    When another task already replaced the rejected token, that newer token is returned
    without asking the provider again.
    """
    if connection.status != ConnectionStatus.ACTIVE:
        raise ReconnectRequired(connection.pk, reconnect_message(connection))
    return _refresh(connection, stale_token=connection.access_token)


def connection_store_tokens(
    *,
    connection: Connection,
    access_token: str,
    expires_in: int | None,
    refresh_token: str = "",
    scopes: str = "",
    account_email: str = "",
    now: datetime | None = None,
) -> Connection:
    """Write newly issued tokens; the only place tokens are saved.

    A refresh token is replaced only when the provider sent one: Zoom and
    Microsoft rotate it on every refresh, Google usually keeps the first.
    """
    now = now or timezone.now()
    connection.access_token = access_token
    connection.expires_at = now + timedelta(seconds=expires_in) if expires_in else None
    if refresh_token:
        connection.refresh_token = refresh_token
    if scopes:
        connection.scopes = scopes
    if account_email:
        connection.account_email = account_email
    connection.status = ConnectionStatus.ACTIVE
    connection.last_error = ""
    connection.last_refreshed_at = now
    if connection.pk is None:
        connection.save()
    else:
        connection.save(
            update_fields=[
                "access_token",
                "expires_at",
                "refresh_token",
                "scopes",
                "account_email",
                "status",
                "last_error",
                "last_refreshed_at",
                "updated_at",
            ]
        )
    return connection


def connection_mark_needs_reconnect(*, connection: Connection, error: str) -> Connection:
    """The grant is no longer accepted: keep the row, tell the owner, stop using it."""
    if connection.status == ConnectionStatus.REVOKED:
        return connection
    connection.status = ConnectionStatus.NEEDS_RECONNECT
    connection.last_error = error[:2000]
    connection.save(update_fields=["status", "last_error", "updated_at"])
    logger.warning(
        "Connection %s (%s) needs reconnecting: %s", connection.pk, connection.provider, connection.last_error
    )
    return connection


def reconnect_message(connection: Connection) -> str:
    label = vendor_label(connection.provider)
    if connection.status == ConnectionStatus.REVOKED:
        return f"The {label} account was disconnected."
    return f"The {label} account must be reconnected" + (f": {connection.last_error}" if connection.last_error else ".")


def client_auth_for(vendor: Vendor, data: dict[str, str]) -> tuple[dict[str, str], tuple[str, str] | None]:
    """The form fields and Basic credentials that authenticate our app at the vendor's token endpoint."""
    credentials = vendor.credentials()
    if vendor.oauth is not None and vendor.oauth.client_auth == "basic":
        return data, (credentials.client_id, credentials.client_secret)
    return {**data, "client_id": credentials.client_id, "client_secret": credentials.client_secret}, None


def post_token_request(
    vendor: Vendor, data: dict[str, str], *, basic_auth: tuple[str, str] | None = None
) -> TokenResponse:
    """POST to a token endpoint and read the answer.

    Raises TokenEndpointRefused for a 4xx answer (the grant or credentials are refused)
    and TokenRefreshFailed for 5xx, 429, timeouts and unreadable answers.
    """
    label = vendor.label
    try:
        response = http_session().post(
            vendor.endpoints().token, data=data, auth=basic_auth, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        raise TokenRefreshFailed(f"{label}'s token endpoint did not answer ({type(exc).__name__}).") from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise TokenRefreshFailed(
            f"{label}'s token endpoint answered {response.status_code}.",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    payload = _json_or_empty(response)
    if response.status_code >= 400:
        error = str(payload.get("error") or "")
        raise TokenEndpointRefused(f"{label} refused the request ({_describe_error(payload, response)}).", error=error)
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenRefreshFailed(f"{label}'s token endpoint answered without an access token.")
    return TokenResponse(
        access_token=access_token,
        expires_in=_seconds(payload.get("expires_in")),
        refresh_token=str(payload.get("refresh_token") or ""),
        scope=str(payload.get("scope") or ""),
        raw=payload,
    )


# --- Refresh ---------------------------------------------------------------------------


@dataclass
class _Outcome:
    connection: Connection
    error: Exception | None = None


def _refresh(connection: Connection, *, stale_token: str | None) -> str:
    with _refresh_lock(connection.pk):
        outcome = _refresh_locked(connection.pk, stale_token=stale_token)
    _copy_state(outcome.connection, into=connection)
    if outcome.error is not None:
        raise outcome.error
    return connection.access_token


def _refresh_locked(connection_id: int, *, stale_token: str | None) -> _Outcome:
    """Refresh while holding the refresh lock, with no transaction or row lock open during the call.

    The lock (Redis, else a PostgreSQL advisory lock) makes racing tasks wait and then
    see the token the first one stored; only the writes afterwards take the row lock.
    """
    current = Connection.objects.filter(pk=connection_id).first()
    if current is None:
        return _Outcome(Connection(pk=connection_id), ReconnectRequired(connection_id, "The connection is gone."))
    if current.status != ConnectionStatus.ACTIVE:
        return _Outcome(current, ReconnectRequired(current.pk, reconnect_message(current)))
    still_fresh = not current.expires_within(_skew_seconds(), now=timezone.now())
    if still_fresh and (stale_token is None or current.access_token != stale_token):
        return _Outcome(current)
    try:
        issued = _request_new_token(current)
    except TokenEndpointRefused as exc:
        connection_mark_needs_reconnect(connection=current, error=str(exc))
        return _Outcome(current, ReconnectRequired(current.pk, reconnect_message(current)))
    except TokenRefreshFailed as exc:
        logger.warning("Refreshing connection %s (%s) failed for now: %s", current.pk, current.provider, exc)
        current.last_error = str(exc)
        current.save(update_fields=["last_error", "updated_at"])
        return _Outcome(current, exc)
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection_id)
        connection_store_tokens(
            connection=locked,
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            scopes=issued.scope,
        )
    logger.info("Refreshed the access token of connection %s (%s)", locked.pk, locked.provider)
    return _Outcome(locked)


def _request_new_token(connection: Connection) -> TokenResponse:
    vendor = vendor_for(connection.provider)
    if connection.is_server_to_server:
        # A clinic's own app has no refresh token: ask for a new access token with its credentials.
        return post_token_request(
            vendor,
            clinic_grant(vendor, connection.account_id),
            basic_auth=(connection.client_id, connection.client_secret),
        )
    if not connection.refresh_token:
        raise TokenEndpointRefused(f"{vendor.label} granted no refresh token.")
    data = {"grant_type": "refresh_token", "refresh_token": connection.refresh_token}
    if vendor.oauth is not None and vendor.oauth.scopes_on_refresh:
        data["scope"] = " ".join(vendor.oauth.scopes)
    data, basic_auth = client_auth_for(vendor, data)
    return post_token_request(vendor, data, basic_auth=basic_auth)


def clinic_grant(vendor: Vendor, account_id: str) -> dict[str, str]:
    """The client-credentials grant of a clinic's own app at the vendor."""
    grant = vendor.oauth.clinic_grant if vendor.oauth else {}
    return {name: value.format(account_id=account_id) for name, value in grant.items()}


def _copy_state(source: Connection, *, into: Connection) -> None:
    """Bring the caller's instance up to date with what the locked re-read saw or wrote."""
    if source is into:
        return
    for field in (
        "access_token",
        "refresh_token",
        "expires_at",
        "scopes",
        "status",
        "last_error",
        "last_refreshed_at",
        "updated_at",
    ):
        setattr(into, field, getattr(source, field))


# --- Locking -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


@contextmanager
def _refresh_lock(connection_id: int) -> Iterator[None]:
    """Serialise refreshes of one connection across processes: Redis when configured, else the database."""
    if not settings.REDIS_URL:
        with _database_lock(connection_id):
            yield
        return
    lock = _redis(settings.REDIS_URL).lock(
        f"clinicpro:integrations:refresh:{connection_id}",
        timeout=settings.HTTP_TIMEOUT_SECONDS * 2 + 10,
        blocking_timeout=LOCK_WAIT_SECONDS,
    )
    try:
        acquired = lock.acquire()
    except redis.RedisError as exc:
        logger.warning("Refresh lock unavailable (%s); using the database's", type(exc).__name__)
        with _database_lock(connection_id):
            yield
        return
    if not acquired:
        raise TokenRefreshFailed("Another refresh of this connection is still running.")
    try:
        yield
    finally:
        # A lock that expired while held raises here; the refresh itself has finished by then.
        with suppress(redis.RedisError):
            lock.release()


@contextmanager
def _database_lock(connection_id: int) -> Iterator[None]:
    """A PostgreSQL session advisory lock: held across the token call, yet neither a transaction nor a row lock.

    SQLite (the single-process demo) has none, and needs none.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, connection_id])
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, connection_id])


# --- Parsing helpers ----------------------------------------------------------------------


def _skew_seconds() -> int:
    return settings.INTEGRATIONS_REFRESH_SKEW_SECONDS


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _describe_error(payload: dict[str, Any], response: requests.Response) -> str:
    """The vendor's own error words (never a token): `error: description` or the HTTP status."""
    error = payload.get("error") or payload.get("code") or ""
    description = payload.get("error_description") or payload.get("reason") or payload.get("message") or ""
    if isinstance(error, dict):  # Graph-style {"error": {"code": ..., "message": ...}}
        description = error.get("message") or description
        error = error.get("code") or ""
    text = ": ".join(str(part) for part in (error, description) if part)
    return (text or f"HTTP {response.status_code}")[:500]


def _seconds(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
