"""The Daraja calls ClinicPro makes: OAuth, STK Push, STK Query, C2B register (and sandbox simulate)."""

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from .credentials import DarajaCredentials, daraja_timestamp, stk_password
from .errors import DarajaError
from .messages import (
    C2BRegistered,
    StkPushAccepted,
    StkPushRequest,
    StkQueryResult,
    check_callback_url,
    check_shortcode,
    whole_amount,
)
from .phones import mask_msisdn, normalise_msisdn
from .tokens import TokenCache

OAUTH_PATH = "/oauth/v1/generate?grant_type=client_credentials"
STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest"
STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query"
C2B_REGISTER_PATHS = {"v1": "/mpesa/c2b/v1/registerurl", "v2": "/mpesa/c2b/v2/registerurl"}
C2B_SIMULATE_PATH = "/mpesa/c2b/v1/simulate"

# Refresh a token this long before Daraja says it expires.
TOKEN_EARLY_REFRESH_SECONDS = 60
TOKEN_LOCK_SECONDS = 15.0
RETRYABLE_CODES = {"500.002.1001", "500.003.02", "500.003.03"}
PHONE_FIELDS = {"PhoneNumber", "PartyA", "Msisdn", "MSISDN"}
SECRET_FIELDS = {"Password", "access_token"}


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, secrets and phone numbers masked: what the audit trail keeps."""

    operation: str
    path: str
    request_body: dict[str, Any] | None
    status: int | None
    response_body: Any
    duration_ms: int
    error_code: str = ""
    error: str = ""


def masked(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    shown: dict[str, Any] = {}
    for key, value in body.items():
        if key in SECRET_FIELDS:
            shown[key] = "••••" if value else value
        elif key in PHONE_FIELDS:
            shown[key] = mask_msisdn(str(value))
        else:
            shown[key] = value
    return shown


@dataclass
class DarajaClient:
    session: requests.Session
    credentials: DarajaCredentials
    tokens: TokenCache
    on_exchange: Callable[[Exchange], None] | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # --- OAuth -------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        c = self.credentials
        return c.cache_key or f"daraja-token:{c.root()}:{c.consumer_key}"

    def access_token(self) -> str:
        """The clinic's current token, fetched once for all processes when missing or near expiry."""
        cached = self.tokens.get(self._token_key)
        if cached:
            return cached
        with self.tokens.lock(self._token_key, TOKEN_LOCK_SECONDS) as acquired:
            cached = self.tokens.get(self._token_key)
            if cached:
                return cached
            if not acquired:
                raise DarajaError("http.unreachable", "Another process is still fetching the token.", retryable=True)
            return self._refresh_token()

    def test_connection(self) -> None:
        """Fetch a fresh token now; raises DarajaError saying what is wrong."""
        self.tokens.delete(self._token_key)
        self.access_token()

    def _refresh_token(self) -> str:
        basic = base64.b64encode(
            f"{self.credentials.consumer_key}:{self.credentials.consumer_secret}".encode()
        ).decode()
        response, body = self._send("oauth", "GET", OAUTH_PATH, None, {"Authorization": f"Basic {basic}"})
        if response.status_code in (400, 401) and not response.content.strip():
            # Daraja's answer to a wrong consumer key or secret: 400 with an empty body.
            raise self._failed("oauth", OAUTH_PATH, None, response, body, DarajaError("oauth.invalid_credentials"))
        error = self._error_of(response, body)
        token = body.get("access_token") if isinstance(body, dict) else None
        if error is None and not token:
            error = DarajaError("http.bad_response", "The token answer has no access_token.", response.status_code)
        if error is not None:
            raise self._failed("oauth", OAUTH_PATH, None, response, body, error)
        self._record("oauth", OAUTH_PATH, None, response, body)
        # expires_in arrives as a string ("3599") in production and as a number elsewhere.
        try:
            lifetime = int(float(body.get("expires_in", 3599)))
        except (TypeError, ValueError):
            lifetime = 3599
        self.tokens.set(self._token_key, str(token), max(lifetime - TOKEN_EARLY_REFRESH_SECONDS, 30))
        return str(token)

    # --- STK Push (Lipa na M-Pesa Online) ------------------------------------------------

    def _password_fields(self) -> dict[str, str]:
        timestamp = daraja_timestamp(self.now())
        shortcode = check_shortcode(self.credentials.shortcode)
        return {
            "BusinessShortCode": shortcode,
            "Password": stk_password(shortcode, self.credentials.passkey, timestamp),
            "Timestamp": timestamp,
        }

    def stk_push(self, request: StkPushRequest) -> StkPushAccepted:
        body = {
            **self._password_fields(),
            "TransactionType": self.credentials.transaction_type.value,
            "Amount": request.amount,
            "PartyA": request.phone,
            "PartyB": self.credentials.party_b,
            "PhoneNumber": request.phone,
            "CallBackURL": request.callback_url,
            "AccountReference": request.account_reference,
            "TransactionDesc": request.description,
        }
        return StkPushAccepted.from_body(self._call("stk_push", STK_PUSH_PATH, body))

    def stk_query(self, checkout_request_id: str) -> StkQueryResult:
        """The prompt's outcome; `pending` while Daraja says "The transaction is being processed"."""
        body = {**self._password_fields(), "CheckoutRequestID": checkout_request_id}
        try:
            answer = self._call("stk_query", STK_QUERY_PATH, body)
        except DarajaError as exc:
            if exc.is_being_processed:
                return StkQueryResult(checkout_request_id=checkout_request_id, pending=True)
            raise
        return StkQueryResult.from_body(checkout_request_id, answer)

    # --- C2B (Paybill / Till from the M-Pesa menu) --------------------------------------------

    def c2b_register(
        self, *, confirmation_url: str, validation_url: str, response_type: str = "Completed", version: str = "v2"
    ) -> C2BRegistered:
        if response_type not in ("Completed", "Cancelled"):
            raise ValueError("ResponseType is exactly 'Completed' or 'Cancelled'.")
        body = {
            "ShortCode": check_shortcode(self.credentials.shortcode),
            "ResponseType": response_type,
            "ConfirmationURL": check_callback_url(confirmation_url),
            "ValidationURL": check_callback_url(validation_url),
        }
        return C2BRegistered.from_body(self._call("c2b_register", C2B_REGISTER_PATHS[version], body))

    def c2b_simulate(self, *, amount: int, phone: str, bill_ref: str) -> dict[str, Any]:
        """Sandbox only: make M-Pesa send a C2B payment to the registered URLs."""
        body = {
            "ShortCode": int(check_shortcode(self.credentials.shortcode)),
            "CommandID": "CustomerPayBillOnline",
            "Amount": whole_amount(amount),
            "Msisdn": int(normalise_msisdn(phone)),
            "BillRefNumber": bill_ref,
        }
        return self._call("c2b_simulate", C2B_SIMULATE_PATH, body)

    # --- Plumbing ------------------------------------------------------------------------------

    def _call(self, operation: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the clinic's token; a token Daraja no longer honours is replaced once."""
        for attempt in (1, 2):
            token = self.access_token()
            response, answer = self._send(operation, "POST", path, body, {"Authorization": f"Bearer {token}"})
            error = self._error_of(response, answer)
            if error is not None and error.is_invalid_token and attempt == 1:
                self._record(operation, path, body, response, answer, error)
                self.tokens.delete(self._token_key)
                continue
            if error is not None:
                raise self._failed(operation, path, body, response, answer, error)
            self._record(operation, path, body, response, answer)
            return answer
        raise AssertionError("unreachable")

    def _send(
        self, operation: str, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[requests.Response, Any]:
        url = self.credentials.root() + path
        started = time.monotonic()
        try:
            response = self.session.request(method, url, json=body, headers=headers)
        except requests.RequestException as exc:
            error = DarajaError("http.unreachable", type(exc).__name__, retryable=True)
            self._emit(operation, path, body, None, None, started, error)
            raise error from exc
        response.elapsed_started = started  # type: ignore[attr-defined]
        try:
            answer: Any = response.json() if response.content.strip() else {}
        except ValueError:
            answer = {"_text": response.text[:500]}
        return response, answer

    @staticmethod
    def _error_of(response: requests.Response, body: Any) -> DarajaError | None:
        if isinstance(body, dict) and body.get("errorCode"):
            code = str(body["errorCode"])
            return DarajaError(
                code,
                str(body.get("errorMessage", "")),
                response.status_code,
                retryable=code in RETRYABLE_CODES,
            )
        if response.status_code >= 400:
            return DarajaError(
                "http.bad_response", f"HTTP {response.status_code}", response.status_code, response.status_code >= 500
            )
        if not isinstance(body, dict) or "_text" in body:
            return DarajaError("http.bad_response", "The answer is not JSON.", response.status_code, retryable=True)
        return None

    def _failed(
        self,
        operation: str,
        path: str,
        body: dict[str, Any] | None,
        response: requests.Response,
        answer: Any,
        error: DarajaError,
    ) -> DarajaError:
        self._record(operation, path, body, response, answer, error)
        return error

    def _record(
        self,
        operation: str,
        path: str,
        body: dict[str, Any] | None,
        response: requests.Response,
        answer: Any,
        error: DarajaError | None = None,
    ) -> None:
        started = getattr(response, "elapsed_started", time.monotonic())
        self._emit(operation, path, body, response.status_code, answer, started, error)

    def _emit(
        self,
        operation: str,
        path: str,
        body: dict[str, Any] | None,
        status: int | None,
        answer: Any,
        started: float,
        error: DarajaError | None,
    ) -> None:
        if self.on_exchange is None:
            return
        self.on_exchange(
            Exchange(
                operation=operation,
                path=path.split("?", 1)[0],
                request_body=masked(body),
                status=status,
                response_body=masked(answer),
                duration_ms=int((time.monotonic() - started) * 1000),
                error_code=error.code if error else "",
                error=error.explanation if error else "",
            )
        )
