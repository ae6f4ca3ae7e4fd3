"""SMS and WhatsApp template messages through Twilio's Messages API over the shared HTTP session.

The official SDK is not used: it brings its own HTTP client (no shared timeout
and logging) and the API is one form POST. WhatsApp outside the 24-hour window
takes only approved templates, so WhatsApp messages name a ContentSid and pass
ContentVariables; our own text is kept as the message body only for history.
"""

import json

from django.conf import settings
from django.urls import reverse

from integrations.vendors.http import VendorResponse

from ...models import Channel, Message
from ..base import Sender, SendError, SendResult, gateway_session
from . import vendor
from .errors import raise_for_response


def base_url() -> str:
    return vendor.TWILIO.endpoints().api


def status_callback_url(report_secret: str) -> str:
    return settings.SITE_URL + reverse("notifications_twilio_report", args=[report_secret])


class TwilioSender(Sender):
    key = vendor.KEY
    channels = ("sms", "whatsapp")

    def send(self, message: Message) -> SendResult:
        config = self.config
        if not (config.twilio_account_sid and config.twilio_auth_token):
            raise SendError("Twilio is not set up for this clinic.", permanent=True)
        form = {"To": message.to, "StatusCallback": status_callback_url(config.report_secret)}
        if message.channel == Channel.WHATSAPP:
            form.update(self._whatsapp_fields(message))
        else:
            if not config.twilio_from_number:
                raise SendError("No Twilio sender number is set for SMS.", permanent=True)
            form.update(From=config.twilio_from_number, Body=message.body)
        response = gateway_session().post(
            f"{base_url()}/2010-04-01/Accounts/{config.twilio_account_sid}/Messages.json",
            data=form,
            auth=(config.twilio_account_sid, config.twilio_auth_token),
            timeout=settings.HTTP_TIMEOUT_SECONDS,
        )
        resource = raise_for_response(VendorResponse.from_requests(response))
        return SendResult(provider_message_id=str(resource.get("sid", "")))

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
