"""What Google's Calendar API answers mean (https://developers.google.com/calendar/api/guides/errors)."""

from integrations.vendors.http import VendorError, VendorResponse

# Google asks for exponential backoff on rate limits without saying how long; start here.
RATE_LIMIT_BACKOFF_SECONDS = 30.0
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


class EventExists(VendorError):
    """409 duplicate: an event with our chosen id is already on the calendar."""


def raise_for_response(response: VendorResponse) -> None:
    """Map a Calendar API answer onto VendorError; return quietly when it succeeded."""
    if response.ok:
        return
    status = response.status
    error = response.body.get("error") if isinstance(response.body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or f"HTTP {status}")
    reasons = {str(item.get("reason", "")) for item in error.get("errors") or [] if isinstance(item, dict)}
    retry_after = response.retry_after

    if status == 401:
        # Google's 401 message carries a help link; the reason is all a person needs.
        raise VendorError("Google refused the access token (authError).", reconnect=True, status_code=401)
    if status == 409 and "duplicate" in reasons:
        raise EventExists(message, permanent=True, status_code=409)
    if (status == 403 and reasons & RATE_LIMIT_REASONS) or status == 429:
        raise VendorError(
            f"Google rate limit: {message}", retry_after=retry_after or RATE_LIMIT_BACKOFF_SECONDS, status_code=status
        )
    if status == 403 and "quotaExceeded" in reasons:
        # Calendar usage limits last for hours: a late Meet link is worse than the clinic's fallback room now.
        raise VendorError(
            f"Google's calendar usage limit for this account is reached: {message}", permanent=True, status_code=403
        )
    if status == 403 and reasons & {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}:
        raise VendorError(f"The Google connection lacks calendar access: {message}", reconnect=True, status_code=403)
    if status == 400 and "conference type" in message.lower():
        raise VendorError(f"This Google calendar cannot host Google Meet ({message})", permanent=True, status_code=400)
    if status >= 500 or status in (408, 409):
        raise VendorError(f"Google answered {status}: {message}", retry_after=retry_after, status_code=status)
    raise VendorError(f"Google answered {status}: {message}", permanent=True, status_code=status)
