"""The clinic's messaging settings, for owners: channels, gateway, credentials, reminders."""

from typing import Any

from django import forms

from clinicpro.admin_secrets import CLEAR, MaskedSecretField

from .models import ClinicMessaging

SECRETS = ("africastalking_api_key", "twilio_auth_token")


class MessagingSettingsForm(forms.ModelForm):
    africastalking_api_key = MaskedSecretField(label="Africa's Talking API key")
    twilio_auth_token = MaskedSecretField(label="Twilio Auth Token")
    reminder_hours = forms.CharField(
        label="Reminders, hours before",
        required=False,
        help_text="Comma-separated, e.g. 24, 2. Leave empty for no reminders.",
    )

    class Meta:
        model = ClinicMessaging
        fields = [
            "email_enabled",
            "sms_enabled",
            "whatsapp_enabled",
            "sms_sender",
            "reminder_hours",
            "africastalking_username",
            "africastalking_api_key",
            "africastalking_sender_id",
            "twilio_account_sid",
            "twilio_auth_token",
            "twilio_from_number",
            "twilio_whatsapp_from",
        ]
        labels = {
            "email_enabled": "Send emails",
            "sms_enabled": "Send SMS",
            "whatsapp_enabled": "Send WhatsApp messages (approved templates, through Twilio)",
            "sms_sender": "SMS gateway",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = {name: getattr(self.instance, name) for name in SECRETS}
        if not self.is_bound:
            self.initial["reminder_hours"] = ", ".join(str(h) for h in self.instance.reminder_hours or [])

    def _secret(self, name: str) -> str:
        value = self.cleaned_data.get(name)
        if value is CLEAR:
            return ""
        # Blank keeps the stored secret: the page never shows it, so nobody can retype it.
        return value or self.stored[name] or ""

    def clean_africastalking_api_key(self) -> str:
        return self._secret("africastalking_api_key")

    def clean_twilio_auth_token(self) -> str:
        return self._secret("twilio_auth_token")

    def clean_reminder_hours(self) -> list[int]:
        raw = [part.strip() for part in (self.cleaned_data.get("reminder_hours") or "").split(",") if part.strip()]
        if not all(part.isdigit() and 0 < int(part) <= 24 * 14 for part in raw):
            raise forms.ValidationError("Give whole hours between 1 and 336, separated by commas.")
        return sorted({int(part) for part in raw}, reverse=True)
