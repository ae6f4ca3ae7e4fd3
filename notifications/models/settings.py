import secrets

from django.db import models

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic

from ..senders.registry import SMS_SENDER_CHOICES


def _report_secret() -> str:
    return secrets.token_urlsafe(24)


def _default_reminders() -> list[int]:
    return [24, 2]


class ClinicMessaging(models.Model):
    """How one clinic reaches people: which channels are on, which gateway sends texts, and its credentials."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="messaging")
    email_enabled = models.BooleanField(default=True)
    sms_enabled = models.BooleanField(default=True)
    whatsapp_enabled = models.BooleanField(default=False)
    sms_sender = models.CharField(max_length=40, choices=SMS_SENDER_CHOICES, default="africastalking")
    reminder_hours = models.JSONField(
        default=_default_reminders, blank=True, help_text="Hours before the start, e.g. [24, 2]."
    )
    # Africa's Talking
    africastalking_username = models.CharField(max_length=100, blank=True)
    africastalking_api_key = EncryptedTextField(blank=True)
    africastalking_sender_id = models.CharField(
        max_length=11, blank=True, help_text="Alphanumeric sender id or short code; blank uses the shared one."
    )
    # Twilio
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = EncryptedTextField(blank=True)
    twilio_from_number = models.CharField(max_length=20, blank=True, help_text="E.164 SMS number.")
    twilio_whatsapp_from = models.CharField(max_length=20, blank=True, help_text="E.164 WhatsApp sender.")
    # Approved WhatsApp templates: message kind -> ContentSid (HX...).
    twilio_whatsapp_templates = models.JSONField(default=dict, blank=True)
    # In the URLs given to the gateways for delivery reports and replies (Africa's Talking signs nothing).
    report_secret = models.CharField(max_length=64, unique=True, default=_report_secret, editable=False)

    class Meta:
        verbose_name = "messaging settings"
        verbose_name_plural = "messaging settings"

    def __str__(self) -> str:
        return f"Messaging of {self.clinic}"

    def channel_enabled(self, channel: str) -> bool:
        return bool(getattr(self, f"{channel}_enabled", False))
