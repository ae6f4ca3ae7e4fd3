"""SMS and WhatsApp template messages through Twilio's Messages API over the shared HTTP session.

The official SDK is not used: it brings its own HTTP client (no shared timeout
and logging) and the API is one form POST. WhatsApp outside the 24-hour window
takes only approved templates, so WhatsApp messages name a ContentSid and pass
ContentVariables; our own text is kept as the message body only for history.
"""

import json

import requests
from django.conf import settings
from django.urls import reverse

from integrations.vendors.http import VendorResponse

from ...models import Channel, Message
from ..base import LostAnswer, Sender, SendError, SendResult, gateway_session, transport_failure
from . import vendor
from .errors import raise_for_response
from .lookup import earlier_sends


def base_url() -> str:
    return vendor.TWILIO.endpoints().api


def status_callback_url(report_secret: str) -> str:
    return settings.SITE_URL + reverse("notifications_twilio_report", args=[report_secret])


class TwilioSender(Sender):
    key = vendor.KEY
    channels = ("sms", "whatsapp")
    # Twilio lists what an account sent, so a retry after a lost answer adopts the earlier message.
    lost_answer = LostAnswer.LOOK

    def send(self, message: Message) -> SendResult:
        config = self.config
        self._check_credentials()
        form = {"To": message.to, "StatusCallback": status_callback_url(config.report_secret)}
        if message.channel == Channel.WHATSAPP:
            form.update(self._whatsapp_fields(message))
        else:
            form.update(From=self._sms_from(), Body=message.body)
        try:
            response = gateway_session().post(
                f"{base_url()}/2010-04-01/Accounts/{config.twilio_account_sid}/Messages.json",
                data=form,
                auth=self._auth(),
                timeout=settings.HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise transport_failure(exc, vendor=vendor.LABEL) from exc
        resource = raise_for_response(VendorResponse.from_requests(response))
        return SendResult(provider_message_id=str(resource.get("sid", "")))

    def find_sent(self, message: Message) -> list[SendResult]:
        self._check_credentials()
        if message.channel == Channel.WHATSAPP:
            fields = self._whatsapp_fields(message)
            to, sender = fields["To"], fields["From"]
        else:
            to, sender = message.to, self._sms_from()
        try:
            return earlier_sends(message, base_url=base_url(), auth=self._auth(), to=to, sender=sender)
        except requests.RequestException as exc:
            raise transport_failure(exc, vendor=vendor.LABEL) from exc

    def _auth(self) -> tuple[str, str]:
        return self.config.twilio_account_sid, self.config.twilio_auth_token

    def _check_credentials(self) -> None:
        if not (self.config.twilio_account_sid and self.config.twilio_auth_token):
            raise SendError("Twilio is not set up for this clinic.", permanent=True)

    def _sms_from(self) -> str:
        if not self.config.twilio_from_number:
            raise SendError("No Twilio sender number is set for SMS.", permanent=True)
        return self.config.twilio_from_number

    def _whatsapp_fields(self, message: Message) -> dict[str, str]:
        config = self.config
        content_sid = config.twilio_whatsapp_templates.get(message.kind, "")
        if not (config.twilio_whatsapp_from and content_sid):
            raise SendError(f"No approved WhatsApp template is set for {message.get_kind_display()}.", permanent=True)
        return {
            "To": f"whatsapp:{message.to}",
            "From": f"whatsapp:{config.twilio_whatsapp_from}",
            "ContentSid": content_sid,
            "ContentVariables": json.dumps(message.template_variables),
        }
