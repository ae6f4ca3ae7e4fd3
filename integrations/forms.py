from django import forms


class ClinicAccountForm(forms.Form):
    """A clinic's own app at a vendor (e.g. a Zoom Server-to-Server OAuth app from the Zoom App Marketplace)."""

    account_id = forms.CharField(label="Account ID", max_length=255, strip=True)
    client_id = forms.CharField(label="Client ID", max_length=255, strip=True)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=255,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; never shown again.",
    )
