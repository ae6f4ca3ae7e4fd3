"""Sending SMS through Africa's Talking over the shared HTTP session.

The official SDK is not used: it hard-codes its hosts (so it cannot reach the
emulator), sets its own timeouts, and reads JSON only for one exact Content-Type.
The API is one form POST, so a small client is simpler and fully ours to test.
"""

import requests
from django.conf import settings

from integrations.vendors.http import VendorResponse

from ...models import Message
from ..base import LostAnswer, Sender, SendError, SendResult, gateway_session, transport_failure
from . import vendor
from .errors import raise_for_response


def base_url(username: str) -> str:
    # Username "sandbox" is Africa's Talking's own test environment, on a host of its own.
    if username == "sandbox" and not vendor.AFRICASTALKING.uses_sandbox:
        return vendor.SANDBOX_BASE_URL
    return vendor.AFRICASTALKING.endpoints().api


class AfricasTalkingSender(Sender):
    key = vendor.KEY
    channels = ("sms",)
    # Its API finds a sent message by nothing we know before the answer (no client id, no outbox listing):
    # a send whose answer was lost waits for staff, or for a delivery report to the same number.
    lost_answer = LostAnswer.ASK_STAFF

    def send(self, message: Message) -> SendResult:
        config = self.config
        if not (config.africastalking_username and config.africastalking_api_key):
            raise SendError("Africa's Talking is not set up for this clinic.", permanent=True)
        form = {"username": config.africastalking_username, "to": message.to, "message": message.body}
        if config.africastalking_sender_id:
            form["from"] = config.africastalking_sender_id
        try:
            response = gateway_session().post(
                f"{base_url(config.africastalking_username)}/version1/messaging",
                data=form,
                headers={"apiKey": config.africastalking_api_key, "Accept": "application/json"},
                timeout=settings.HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise transport_failure(exc, vendor=vendor.LABEL) from exc
        recipient = raise_for_response(VendorResponse.from_requests(response))
        return SendResult(provider_message_id=str(recipient.get("messageId", "")))
