"""What Zoom's API answers mean (https://developers.zoom.us/docs/api/rest/error-definitions/)."""

from django.conf import settings

from integrations.vendors.http import VendorError, VendorResponse


def daily_limit_message() -> str:
    return f"Zoom's daily limit of {settings.ZOOM_DAILY_MEETING_LIMIT} meetings for this account is reached"


def raise_for_response(response: VendorResponse) -> None:
    """Map a Zoom API answer onto VendorError; return quietly when it succeeded."""
    if response.ok:
        return
    status = response.status
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("code")
    message = str(body.get("message") or f"HTTP {status}")
    detail = f"Zoom answered {status}" + (f" (code {code})" if code is not None else "") + f": {message}"

    if status == 401:
        # 124: invalid or expired access token.
        raise VendorError(detail, reconnect=True, status_code=401)
    if status == 429:
        rate_limit_type = (response.header("X-RateLimit-Type") or "").lower()
        if "daily" in rate_limit_type or "daily" in message.lower():
            raise VendorError(daily_limit_message(), permanent=True, status_code=429)
        raise VendorError(detail, retry_after=response.retry_after, status_code=429)
    if status >= 500 or status in (408, 409):
        raise VendorError(detail, retry_after=response.retry_after, status_code=status)
    # 400 code 300 validation, 404 code 3001 unknown meeting, 403 not allowed: the same call fails again.
    raise VendorError(detail, permanent=True, status_code=status)
