"""Forms of the meeting pages: the clinic's meeting configuration and the owner's regenerate action."""

from typing import Any, cast
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from clinicpro.admin_secrets import CLEAR, MaskedSecretField

from .models import ClinicMeetingSettings
from .registry import provider_choices, provider_label

# Providers that make rooms with nothing but the clinic's own settings: no OAuth connection,
# no vendor account. Only these can be the fallback, since the fallback runs when vendors fail.
CONNECTIONLESS_PROVIDERS = ("selfhosted",)
MAX_WINDOW_MINUTES = 24 * 60
MIN_JITSI_SECRET_LENGTH = 32


class HttpsURLField(forms.URLField):
    """A URL typed without a scheme is taken as https (room servers are never plain http)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(assume_scheme="https", **kwargs)


class MeetingSettingsForm(forms.ModelForm):
    """Owners choose providers and the room server; the Jitsi secret can be replaced, never read back."""

    jitsi_app_secret = MaskedSecretField(
        label="Jitsi app secret",
        help_text=f"At least {MIN_JITSI_SECRET_LENGTH} characters, as set on your room server. Stored encrypted "
        "and never shown again; leave blank to keep the current secret.",
    )

    class Meta:
        model = ClinicMeetingSettings
        field_classes = {"base_url": HttpsURLField}
        fields = [
            "default_provider",
            "fallback_provider",
            "base_url",
            "jitsi_app_id",
            "jitsi_app_secret",
            "jitsi_audience",
            "join_opens_minutes_before",
            "join_closes_minutes_after",
            "send_provider_invites",
        ]
        labels = {
            "default_provider": "Default meeting platform",
            "fallback_provider": "Backup platform",
            "base_url": "Room server address",
            "jitsi_app_id": "Jitsi app id",
            "jitsi_audience": "Jitsi token audience",
            "join_opens_minutes_before": "Join links open (minutes before the start)",
            "join_closes_minutes_after": "Join links close (minutes after the end)",
            "send_provider_invites": "Let Google or Microsoft email their own invitation to patients too",
        }
        help_texts = {
            "default_provider": "Used when a service does not name its own platform.",
            "fallback_provider": "Gives a working link when the chosen platform keeps failing; "
            "it must work without any connected account.",
            "base_url": "The Jitsi-compatible server for ClinicPro rooms, e.g. https://meet.yourclinic.co.ke.",
            "jitsi_app_id": "With the secret below, every participant gets a signed token and only the host "
            "can moderate. Leave both empty for rooms protected only by their unguessable name.",
            "jitsi_audience": 'The audience (aud) your server expects in its tokens; Prosody\'s default is "jitsi".',
            "send_provider_invites": (
                "Off by default: patients get their ClinicPro join link on their booking page and in its calendar file."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["default_provider"]).choices = provider_choices()
        cast(forms.ChoiceField, self.fields["fallback_provider"]).choices = [
            (key, label) for key, label in provider_choices() if key in CONNECTIONLESS_PROVIDERS
        ]
        for name in ("join_opens_minutes_before", "join_closes_minutes_after"):
            self.fields[name].validators.append(
                MaxValueValidator(MAX_WINDOW_MINUTES, f"At most {MAX_WINDOW_MINUTES} minutes (one day).")
            )
            self.fields[name].widget.attrs.update(min=0, max=MAX_WINDOW_MINUTES)

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip().rstrip("/")
        parts = urlsplit(url)
        if not settings.DEBUG and parts.scheme != "https":
            raise forms.ValidationError("The room server must use https:// so calls are encrypted.")
        if parts.query or parts.fragment:
            raise forms.ValidationError("Give only the server address, without ? or # parts.")
        return url

    def clean_jitsi_app_secret(self) -> str:
        value = self.cleaned_data.get("jitsi_app_secret")
        if value is CLEAR:
            return ""
        if value and len(value) < MIN_JITSI_SECRET_LENGTH:
            # HS256 is only as strong as its key (RFC 7518, section 3.2).
            raise forms.ValidationError(f"Use a secret of at least {MIN_JITSI_SECRET_LENGTH} characters.")
        # Blank keeps the stored secret: the page never shows it, so nobody can retype it.
        return value or self.instance.jitsi_app_secret or ""

    def clean_fallback_provider(self) -> str:
        key = self.cleaned_data["fallback_provider"]
        if key not in CONNECTIONLESS_PROVIDERS:
            raise forms.ValidationError(
                f"{provider_label(key)} needs a connected account, so it cannot be the backup platform."
            )
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_id, has_secret = bool(cleaned.get("jitsi_app_id")), bool(cleaned.get("jitsi_app_secret"))
        if has_id != has_secret:
            self.add_error(
                "jitsi_app_id" if not has_id else "jitsi_app_secret",
                "Give both the Jitsi app id and its secret, or neither.",
            )
        return cleaned


class RegenerateMeetingForm(forms.Form):
    reason = forms.CharField(
        label="Why make a new meeting?",
        max_length=300,
        help_text="Kept in the audit trail. The patient's and host's join links stay the same.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. the patient could not get into the room"}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Please say why, for the audit trail.")
        return reason
