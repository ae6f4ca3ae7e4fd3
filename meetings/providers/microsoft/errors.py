"""What Microsoft Graph's answers mean (https://learn.microsoft.com/graph/errors)."""

from integrations.vendors.http import VendorError, VendorResponse


def raise_for_response(response: VendorResponse) -> None:
    """Map a Graph answer onto VendorError; return quietly when it succeeded."""
    if response.ok:
        return
    status = response.status
    error = response.body.get("error") if isinstance(response.body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    detail = f"Microsoft Graph answered {status}" + (f" ({code})" if code else "") + f": {error.get('message') or ''}"

    if status == 401:
        # InvalidAuthenticationToken: expired, revoked or malformed access token.
        raise VendorError(detail, reconnect=True, status_code=401)
    if status == 429 or status >= 500 or status in (408, 409, 412):
        raise VendorError(detail, retry_after=response.retry_after, status_code=status)
    # 400 invalid request, 403 access denied, 404 ErrorItemNotFound: the same call fails again.
    raise VendorError(detail, permanent=True, status_code=status)
