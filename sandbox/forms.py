from django import forms
from django.utils import timezone

from . import faults, world
from .models import Fault, GoogleBusyBlock, Service

TARGETS = [
    (f"{service}:{endpoint}", f"{service} {endpoint}")
    for service, names in faults.ENDPOINTS.items()
    for endpoint in names
]


class FaultForm(forms.Form):
    target = forms.ChoiceField(label="Endpoint", choices=TARGETS)
    mode = forms.ChoiceField(choices=Fault.Mode.choices)
    count = forms.IntegerField(
        min_value=1, required=False, initial=1, help_text="Leave empty to keep it until removed."
    )
    retry_after = forms.IntegerField(label="Retry-After (s)", min_value=0, initial=1)
    retry_after_as_date = forms.BooleanField(label="Retry-After as an HTTP date", required=False)
    delay_seconds = forms.FloatField(label="Delay (s)", min_value=0, initial=0)
    pending_reads = forms.IntegerField(label="Pending reads", min_value=0, initial=1)

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.errors:
            return data
        service, endpoint = data["target"].split(":", 1)
        try:
            faults.validate_target(service, endpoint, data["mode"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if data["mode"] == Fault.Mode.TIMEOUT and not data["delay_seconds"]:
            raise forms.ValidationError("A timeout needs a delay past the client's timeout.")
        return data

    def save(self) -> Fault:
        data = self.cleaned_data
        service, endpoint = data["target"].split(":", 1)
        return faults.inject(
            service,
            endpoint,
            data["mode"],
            count=data["count"],
            retry_after=data["retry_after"],
            retry_after_as_date=data["retry_after_as_date"],
            delay_seconds=data["delay_seconds"],
            pending_reads=data["pending_reads"],
        )


class ServiceForm(forms.Form):
    service = forms.ChoiceField(choices=Service.choices)


class BusyBlockForm(forms.Form):
    email = forms.EmailField(initial=world.DEFAULT_EMAILS[Service.GOOGLE])
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    label = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError("The busy time must end after it starts.")
        return data

    def save(self) -> GoogleBusyBlock:
        data = self.cleaned_data
        return world.add_busy_block(data["email"], data["starts_at"], data["ends_at"], data["label"])

    @staticmethod
    def zone_name() -> str:
        return timezone.get_current_timezone_name()
