"""Google's error bodies: the Calendar API envelope and the OAuth token endpoint's."""

from collections.abc import Callable

from django.http import HttpResponse, JsonResponse

from ..emulation import VendorReplies, json_response, retry_after_value
from ..models import Fault


class GoogleApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, *, domain: str = "global") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain

    def response(self) -> JsonResponse:
        return api_error(self.status, self.reason, self.message, domain=self.domain)


def api_error(status: int, reason: str, message: str, *, domain: str = "global") -> JsonResponse:
    errors = [{"domain": domain, "reason": reason, "message": message}]
    body = {"error": {"errors": errors, "code": status, "message": message}}
    return json_response(body, status=status)


def invalid_credentials() -> JsonResponse:
    body = {
        "error": {
            "code": 401,
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
            "or other valid authentication credential. "
            "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "errors": [
                {
                    "message": "Invalid Credentials",
                    "domain": "global",
                    "reason": "authError",
                    "location": "Authorization",
                    "locationType": "header",
                }
            ],
            "status": "UNAUTHENTICATED",
        }
    }
    return json_response(body, status=401, headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})


def insufficient_scopes() -> JsonResponse:
    body = {
        "error": {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
        }
    }
    return json_response(body, status=403)


def not_found() -> GoogleApiError:
    return GoogleApiError(404, "notFound", "Not Found")


def deleted() -> GoogleApiError:
    return GoogleApiError(410, "deleted", "Resource has been deleted")


def invalid(message: str) -> GoogleApiError:
    return GoogleApiError(400, "invalid", message)


def _usage_limit(reason: str, message: str, *, retry: bool) -> Callable[[Fault], HttpResponse]:
    def reply(fault: Fault) -> HttpResponse:
        response = api_error(403, reason, message, domain="usageLimits")
        if retry:
            response["Retry-After"] = retry_after_value(fault.retry_after, as_date=fault.retry_after_as_date)
        return response

    return reply


API_REPLIES = VendorReplies(
    server_error=lambda: api_error(500, "backendError", "Backend Error"),
    rate_limited=lambda: api_error(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"),
    unauthorized=invalid_credentials,
    extra={
        Fault.Mode.RATE_LIMIT_403: _usage_limit("rateLimitExceeded", "Rate Limit Exceeded", retry=True),
        Fault.Mode.USER_RATE_LIMIT_403: _usage_limit("userRateLimitExceeded", "User Rate Limit Exceeded", retry=True),
        Fault.Mode.QUOTA_403: _usage_limit("quotaExceeded", "Calendar usage limits exceeded.", retry=False),
    },
)


def token_error(status: int, error: str, description: str) -> JsonResponse:
    return json_response({"error": error, "error_description": description}, status=status)


# OAuthRefusal.reason -> (status, error, error_description), as oauth2.googleapis.com words them.
TOKEN_REFUSALS: dict[str, tuple[int, str, str]] = {
    "invalid_client": (401, "invalid_client", "Unauthorized"),
    "client_mismatch": (401, "unauthorized_client", "Unauthorized"),
    "unsupported_grant_type": (400, "unsupported_grant_type", "Invalid grant_type: {detail}"),
    "missing_parameter": (400, "invalid_request", "Missing required parameter: {detail}"),
    "bad_code": (400, "invalid_grant", "Malformed auth code."),
    "code_reused": (400, "invalid_grant", "Bad Request"),
    "code_expired": (400, "invalid_grant", "Bad Request"),
    "redirect_mismatch": (400, "redirect_uri_mismatch", "Bad Request"),
    "pkce_missing": (400, "invalid_grant", "Missing code verifier."),
    "pkce_mismatch": (400, "invalid_grant", "Invalid code verifier."),
    "refresh_unknown": (400, "invalid_grant", "Token has been expired or revoked."),
    "refresh_revoked": (400, "invalid_grant", "Token has been expired or revoked."),
    "refresh_expired": (400, "invalid_grant", "Token has been expired or revoked."),
    "scripted": (400, "invalid_grant", "Token has been expired or revoked."),
}


def token_refusal(reason: str, detail: str = "") -> JsonResponse:
    status, error, description = TOKEN_REFUSALS[reason]
    return token_error(status, error, description.format(detail=detail))


TOKEN_REPLIES = VendorReplies(
    server_error=lambda: token_error(500, "internal_failure", "Backend Error"),
    rate_limited=lambda: token_error(429, "rate_limit_exceeded", "Rate Limit Exceeded"),
    unauthorized=lambda: token_refusal("invalid_client"),
)
