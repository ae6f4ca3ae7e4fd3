"""Twilio's answers mapped onto SendError (https://www.twilio.com/docs/api/errors)."""

from integrations.vendors.http import VendorResponse

from ..base import SendError

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


def raise_for_response(response: VendorResponse) -> dict:
    """The message resource of an accepted send (or the page of a listing), or SendError."""
    if response.status == 429:
        raise SendError("Twilio answered 429", retry_after=response.retry_after)
    if response.status >= 500:
        # Twilio's own 5xx, or a proxy's when its answer was lost: Twilio may have taken the message.
        raise SendError(f"Twilio answered {response.status}", retry_after=response.retry_after, answer_lost=True)
    body = response.body
    if not isinstance(body, dict):
        taken = response.status in (200, 201)
        raise SendError(f"Twilio answered {response.status} with a body we cannot read.", answer_lost=taken)
    if response.status in (200, 201):
        return body
    code = body.get("code")
    if response.status == 401:
        raise SendError("Twilio refused the Account SID or Auth Token.", permanent=True)
    reason = PERMANENT.get(code) if isinstance(code, int) else None
    words = reason or body.get("message") or "refused"
    raise SendError(f"Not sent: {words} (Twilio {code}).", permanent=True, opted_out=code in OPTED_OUT)
