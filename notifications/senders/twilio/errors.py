"""Twilio's answers mapped onto SendError (https://www.twilio.com/docs/api/errors)."""

import requests

from ..base import SendError, retry_after_seconds

PERMANENT = {
    21211: "the phone number is invalid",
    21212: "the sender number is not valid for this account",
    21408: "sending to this region is not enabled",
    21606: "the sender number cannot send SMS",
    21610: "the recipient replied STOP to this sender",
    21614: "the number is not a mobile number",
    21655: "the WhatsApp template (ContentSid) is unknown",
    63016: "WhatsApp only takes approved templates outside the 24-hour window",
}
OPTED_OUT = {21610}


def raise_for_response(response: requests.Response) -> dict:
    """The message resource of an accepted send, or SendError."""
    if response.status_code == 429 or response.status_code >= 500:
        raise SendError(
            f"Twilio answered {response.status_code}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    try:
        body = response.json()
    except ValueError:
        raise SendError(f"Twilio answered {response.status_code} with a body we cannot read.") from None
    if response.status_code in (200, 201):
        return body
    code = body.get("code") if isinstance(body, dict) else None
    if response.status_code == 401:
        raise SendError("Twilio refused the Account SID or Auth Token.", permanent=True)
    reason = PERMANENT.get(code) if isinstance(code, int) else None
    words = reason or (body.get("message") if isinstance(body, dict) else "") or "refused"
    raise SendError(f"Not sent: {words} (Twilio {code}).", permanent=True, opted_out=code in OPTED_OUT)
