"""Africa's Talking answers mapped onto SendError.

The HTTP status says whether the request was taken (201); each recipient's
`statusCode` then says whether that message was (100 Processed, 101 Sent,
102 Queued) or why not.
"""

from integrations.vendors.http import VendorResponse

from ..base import GATEWAY_STATUSES, SendError

ACCEPTED = {100, 101, 102}
# Sending the same message again cannot succeed.
PERMANENT = {
    401: "held for a risk review (RiskHold)",
    402: "the sender id is not registered for this account (InvalidSenderId)",
    403: "the phone number is invalid (InvalidPhoneNumber)",
    404: "the number type cannot receive SMS (UnsupportedNumberType)",
    405: "the account balance is exhausted (InsufficientBalance)",
    406: "the recipient blocked messages from this sender (UserInBlacklist)",
    407: "no route to the recipient's network (CouldNotRoute)",
    409: "the recipient's do-not-disturb setting refused it (DoNotDisturbRejection)",
}
OPTED_OUT = {406, 409}


def raise_for_response(response: VendorResponse) -> dict:
    """The recipient entry of an accepted send, or SendError."""
    if response.status in GATEWAY_STATUSES:
        # A proxy's answer, not Africa's Talking's: the request may have gone through behind it.
        raise SendError(f"No answer from Africa's Talking (HTTP {response.status}).", answer_lost=True)
    if response.status == 429 or response.status >= 500:
        raise SendError(f"Africa's Talking answered {response.status}", retry_after=response.retry_after)
    if response.status in (401, 403):
        raise SendError("Africa's Talking refused the API key or username.", permanent=True)
    if response.status != 201:
        raise SendError(f"Africa's Talking refused the request: {str(response.body)[:200]}", permanent=True)
    try:
        recipients = response.body["SMSMessageData"]["Recipients"]
    except (KeyError, TypeError):
        # It took the request (201) but we cannot read what it did with it.
        raise SendError("Africa's Talking answered with a body we cannot read.", answer_lost=True) from None
    if not recipients:
        raise SendError("Africa's Talking sent the message to no one.", permanent=True)
    recipient = recipients[0]
    code = int(recipient.get("statusCode", 0))
    if code in ACCEPTED:
        return recipient
    if code in PERMANENT:
        raise SendError(f"Not sent: {PERMANENT[code]}.", permanent=True, opted_out=code in OPTED_OUT)
    raise SendError(f"Africa's Talking could not send it now ({recipient.get('status', code)}).")
