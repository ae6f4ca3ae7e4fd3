from django import forms

from .models import KeyAudience, KeyScope, WebhookEvent


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses this key, e.g. “Front-desk app”.")
    scope = forms.ChoiceField(choices=KeyScope.choices, initial=KeyScope.READ)
    audience = forms.ChoiceField(choices=KeyAudience.choices, initial=KeyAudience.STAFF, label="Used by")


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="Endpoint URL", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple, initial=WebhookEvent.values
    )
