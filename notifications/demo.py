"""Demo data of notifications: the demo clinic texts through the emulated Africa's Talking and Twilio.

Called by `manage.py seed_demo` after the other apps (so the seeded bookings are
not texted); idempotent. Everything sent shows at /sandbox/outbox/.
"""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from .models import ClinicMessaging

AT_USERNAME = "demo-clinic"
AT_API_KEY = "atsk_demo_" + "0" * 54
SENDER_ID = "DEMOCLINIC"
TWILIO_SID = "AC" + "d" * 32
TWILIO_TOKEN = "demo-twilio-auth-token-000000000"
TWILIO_NUMBER = "+15005550006"
# Approved WhatsApp templates (Twilio Content API) of the demo account.
TEMPLATES = {
    "confirmed": ("HX" + "1" * 32, "Hello {{1}}, your {{2}} is confirmed for {{3}}. Join here: {{4}}"),
    "rescheduled": ("HX" + "2" * 32, "Hello {{1}}, your {{2}} has moved to {{3}}. Join here: {{4}}"),
    "reminder": ("HX" + "3" * 32, "Hello {{1}}, a reminder of your {{2}} at {{3}}. {{4}}"),
    "cancelled": ("HX" + "4" * 32, "Hello {{1}}, your {{2}} on {{3}} is cancelled. {{4}}"),
}


def _emulator_accounts(report_url: str) -> None:
    if not apps.is_installed("sandbox"):
        return
    from sandbox.models import Service, TextAccount

    TextAccount.objects.update_or_create(
        service=Service.AFRICASTALKING,
        username=AT_USERNAME,
        defaults={"secret": AT_API_KEY, "senders": [SENDER_ID], "delivery_report_url": report_url},
    )
    TextAccount.objects.update_or_create(
        service=Service.TWILIO,
        username=TWILIO_SID,
        defaults={
            "secret": TWILIO_TOKEN,
            "senders": [TWILIO_NUMBER],
            "templates": {sid: text for sid, text in TEMPLATES.values()},
        },
    )


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    config, _ = ClinicMessaging.objects.update_or_create(
        clinic=clinic,
        defaults={
            "sms_enabled": True,
            "whatsapp_enabled": True,
            "sms_sender": "africastalking",
            "africastalking_username": AT_USERNAME,
            "africastalking_api_key": AT_API_KEY,
            "africastalking_sender_id": SENDER_ID,
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from_number": TWILIO_NUMBER,
            "twilio_whatsapp_from": TWILIO_NUMBER,
            "twilio_whatsapp_templates": {kind: sid for kind, (sid, _text) in TEMPLATES.items()},
        },
    )
    report_url = settings.SITE_URL + reverse("notifications_africastalking_report", args=[config.report_secret])
    _emulator_accounts(report_url)
    if apps.is_installed("sandbox"):
        context["lines"]["links"].append(f"Outbox (texts and emails sent)  {settings.SITE_URL}/sandbox/outbox/")
    context["messaging"] = config
    return context
