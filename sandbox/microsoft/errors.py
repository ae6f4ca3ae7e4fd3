"""Microsoft's error bodies: Graph's {"error": {"code", "message", "innerError"}} and Entra ID's AADSTS errors."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import JsonResponse

from ..emulation import VendorReplies, json_response


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JsonResponse:
        return graph_error(self.status, self.code, self.message)


def graph_error(status: int, code: str, message: str) -> JsonResponse:
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4()),
    }
    return json_response({"error": {"code": code, "message": message, "innerError": inner}}, status=status)


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def invalid_token(message: str) -> JsonResponse:
    return graph_error(401, "InvalidAuthenticationToken", message)


API_REPLIES = VendorReplies(
    server_error=lambda: graph_error(500, "generalException", "General exception while processing."),
    rate_limited=lambda: graph_error(429, "TooManyRequests", "Too many requests."),
    unauthorized=lambda: invalid_token("Access token has expired or is not yet valid."),
)


def token_error(status: int, error: str, code: int, description: str) -> JsonResponse:
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    body: dict[str, Any] = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} "
        f"Timestamp: {stamp}",
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    return json_response(body, status=status)


# OAuthRefusal.reason -> (status, error, AADSTS code, description).
TOKEN_REFUSALS: dict[str, tuple[int, str, int, str]] = {
    "invalid_client": (
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
        "not the client secret ID, for a secret added to app '{detail}'.",
    ),
    "client_mismatch": (400, "invalid_grant", 70000, "Provided grant is invalid or malformed."),
    "unsupported_grant_type": (
        400,
        "unsupported_grant_type",
        70003,
        "The app requested an unsupported grant type '{detail}'.",
    ),
    "missing_parameter": (
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: '{detail}'.",
    ),
    "bad_code": (400, "invalid_grant", 70000, "Provided grant is invalid or malformed."),
    "code_reused": (
        400,
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
        "refresh token.",
    ),
    "code_expired": (
        400,
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive "
        "authorization request for this user and resource.",
    ),
    "redirect_mismatch": (
        400,
        "invalid_grant",
        70000,
        "Provided grant is invalid or malformed. The redirect_uri does not match the one used to obtain the code.",
    ),
    "pkce_missing": (
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'code_verifier'.",
    ),
    "pkce_mismatch": (
        400,
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
    "refresh_unknown": (400, "invalid_grant", 70000, "Provided grant is invalid or malformed."),
    "refresh_revoked": (
        400,
        "invalid_grant",
        50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have "
        "changed or reset their password.",
    ),
    "refresh_expired": (
        400,
        "invalid_grant",
        700082,
        "The refresh token has expired due to inactivity. The token was issued on {detail} and was inactive for "
        "90.00:00:00.",
    ),
}
TOKEN_REFUSALS["scripted"] = TOKEN_REFUSALS["refresh_expired"]


def token_refusal(reason: str, detail: str = "") -> JsonResponse:
    status, error, code, description = TOKEN_REFUSALS[reason]
    if code == 700082 and not detail:
        detail = (datetime.now(UTC) - timedelta(days=91)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    return token_error(status, error, code, description.format(detail=detail))


TOKEN_REPLIES = VendorReplies(
    server_error=lambda: token_error(
        500, "temporarily_unavailable", 50196, "The server encountered an unexpected error. Please retry."
    ),
    rate_limited=lambda: token_error(
        429, "temporarily_unavailable", 50196, "The server terminated an operation because it encountered a loop."
    ),
    unauthorized=lambda: token_refusal("invalid_client", "the application"),
)
