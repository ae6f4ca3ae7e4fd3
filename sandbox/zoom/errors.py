"""Zoom's error bodies: {"code", "message"} on the API, {"reason", "error"} on zoom.us/oauth."""

from typing import Any

from django.http import JsonResponse

from ..emulation import VendorReplies, json_response

PER_SECOND_LIMIT = "You have reached the maximum per-second rate limit for this API. Try again later."


class ZoomApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> JsonResponse:
        return api_error(self.status, self.code, self.message, self.errors)


def api_error(status: int, code: int, message: str, errors: list[dict[str, str]] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status=status)


def meeting_not_found(meeting_id: object) -> ZoomApiError:
    return ZoomApiError(404, 3001, f"Meeting does not exist: {meeting_id}.")


def user_not_found(user_id: str) -> ZoomApiError:
    return ZoomApiError(404, 1001, f"User does not exist: {user_id}.")


def validation_failed(errors: list[dict[str, str]]) -> ZoomApiError:
    return ZoomApiError(400, 300, "Validation Failed.", errors)


API_REPLIES = VendorReplies(
    server_error=lambda: api_error(500, 500, "Internal server error."),
    rate_limited=lambda: api_error(429, 429, PER_SECOND_LIMIT),
    unauthorized=lambda: api_error(401, 124, "Invalid access token."),
)


def token_error(status: int, error: str, reason: str) -> JsonResponse:
    return json_response({"reason": reason, "error": error}, status=status)


# OAuthRefusal.reason -> (status, error, reason), as zoom.us/oauth/token words them.
TOKEN_REFUSALS: dict[str, tuple[int, str, str]] = {
    "invalid_client": (401, "invalid_client", "Invalid client_id or client_secret"),
    "client_mismatch": (400, "invalid_grant", "Invalid Token!"),
    "unsupported_grant_type": (400, "unsupported_grant_type", "Unsupported grant type"),
    "missing_parameter": (400, "invalid_request", "Missing {detail}"),
    "bad_code": (400, "invalid_grant", "Invalid authorization code"),
    "code_reused": (400, "invalid_grant", "Invalid authorization code"),
    "code_expired": (400, "invalid_grant", "Invalid authorization code"),
    "redirect_mismatch": (400, "invalid_request", "Redirect URI mismatch."),
    "pkce_missing": (400, "invalid_request", "Invalid code_verifier"),
    "pkce_mismatch": (400, "invalid_request", "Invalid code_verifier"),
    "refresh_unknown": (400, "invalid_grant", "Invalid Token!"),
    "refresh_revoked": (400, "invalid_grant", "Invalid Token!"),
    "refresh_expired": (400, "invalid_grant", "Invalid Token!"),
    "scripted": (400, "invalid_grant", "Invalid Token!"),
}


def token_refusal(reason: str, detail: str = "") -> JsonResponse:
    status, error, description = TOKEN_REFUSALS[reason]
    return token_error(status, error, description.format(detail=detail))


TOKEN_REPLIES = VendorReplies(
    server_error=lambda: token_error(500, "server_error", "Internal Error"),
    rate_limited=lambda: token_error(429, "too_many_requests", "Too many requests"),
    unauthorized=lambda: token_refusal("invalid_client"),
)
