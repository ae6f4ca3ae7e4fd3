from typing import Any

from django import forms

from clinicpro.admin_secrets import CLEAR, MaskedSecretField

from .daraja import InvalidRequest, normalise_msisdn
from .daraja.messages import check_shortcode
from .models import MpesaSettings


class PayForm(forms.Form):
    phone = forms.CharField(max_length=20, label="M-Pesa phone number")

    def clean_phone(self) -> str:
        try:
            return normalise_msisdn(self.cleaned_data["phone"])
        except InvalidRequest as exc:
            raise forms.ValidationError(str(exc)) from None


class ResolveForm(forms.Form):
    note = forms.CharField(max_length=500, widget=forms.TextInput, label="Note")


SECRETS = ("consumer_key", "consumer_secret", "passkey")


class MpesaSettingsForm(forms.ModelForm):
    """Owners set their Daraja app; secrets show only a mask and stay unchanged when left blank."""

    consumer_key = MaskedSecretField(label="Consumer key")
    consumer_secret = MaskedSecretField(label="Consumer secret")
    passkey = MaskedSecretField(label="Passkey (Lipa na M-Pesa Online)")

    class Meta:
        model = MpesaSettings
        fields = [
            "is_enabled",
            "environment",
            "base_url",
            "account_type",
            "shortcode",
            "till_number",
            "consumer_key",
            "consumer_secret",
            "passkey",
            "allowed_ips",
        ]

    def clean_shortcode(self) -> str:
        try:
            return check_shortcode(self.cleaned_data["shortcode"])
        except InvalidRequest as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean() returns its cleaned_data
        for name in SECRETS:
            if cleaned.get(name) is CLEAR:
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "") or ""
        if cleaned.get("account_type") == "till" and not cleaned.get("till_number"):
            self.add_error("till_number", "A till needs its till number (it receives the money).")
        return cleaned
