"""Fixtures of the notifications tests: a clinic whose texts go through the emulators."""

import pytest

from notifications.models import ClinicMessaging
from sandbox.models import Service, TextAccount

AT_USERNAME, AT_KEY = "uhuru-health", "atsk_" + "a" * 60
TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "twilio-auth-token-" + "t" * 14
TEMPLATES = {
    "confirmed": "HX" + "c" * 32,
    "reminder": "HX" + "r" * 32,
}


@pytest.fixture
def messaging(clinic, settings):
    """Africa's Talking for SMS, Twilio for WhatsApp; both accounts exist in the emulators."""
    TextAccount.objects.create(service=Service.AFRICASTALKING, username=AT_USERNAME, secret=AT_KEY, senders=["UHURU"])
    TextAccount.objects.create(
        service=Service.TWILIO,
        username=TWILIO_SID,
        secret=TWILIO_TOKEN,
        senders=["+15005550006"],
        templates={
            TEMPLATES["confirmed"]: "Hello {{1}}, your {{2}} is confirmed for {{3}}. Join: {{4}}",
            TEMPLATES["reminder"]: "Hello {{1}}, a reminder: {{2}} at {{3}}. {{4}}",
        },
    )
    return ClinicMessaging.objects.create(
        clinic=clinic,
        sms_sender="africastalking",
        africastalking_username=AT_USERNAME,
        africastalking_api_key=AT_KEY,
        africastalking_sender_id="UHURU",
        whatsapp_enabled=True,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number="+15005550006",
        twilio_whatsapp_from="+15005550006",
        twilio_whatsapp_templates=TEMPLATES,
    )
