"""The one list of message senders: key -> (label, dotted path), imported lazily.

Adding a gateway means one line here and one package under notifications/senders/.
"""

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Sender

SENDERS: dict[str, tuple[str, str]] = {
    "email": ("Email (django-anymail)", "notifications.senders.email.EmailSender"),
    "africastalking": ("Africa's Talking", "notifications.senders.africastalking.client.AfricasTalkingSender"),
    "twilio": ("Twilio", "notifications.senders.twilio.client.TwilioSender"),
}

# Gateways a clinic may choose for SMS (WhatsApp always goes through Twilio's template messages).
SMS_SENDERS = ("africastalking", "twilio")
SMS_SENDER_CHOICES = [(key, SENDERS[key][0]) for key in SMS_SENDERS]
WHATSAPP_SENDER = "twilio"
EMAIL_SENDER = "email"


@cache
def sender_class(key: str) -> "type[Sender]":
    try:
        _label, dotted = SENDERS[key]
    except KeyError:
        raise KeyError(f"Unknown message sender {key!r}.") from None
    module_path, class_name = dotted.rsplit(".", 1)
    return getattr(import_module(module_path), class_name)
