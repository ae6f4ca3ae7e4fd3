"""Admin support for encrypted fields: staff may replace a secret, never read it.

Add `MaskedSecretsAdminMixin` before `admin.ModelAdmin` (or an inline class):
every EncryptedTextField of the model then shows its mask (the last characters
of long values), renders an empty input, keeps the stored value when left blank,
and can be cleared with a checkbox.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest

from .fields import EncryptedTextField, mask

CLEAR = object()  # what the widget returns when "clear" is ticked


class MaskedSecretWidget(forms.PasswordInput):
    """An empty password input showing only the mask of the current value, plus a clear checkbox."""

    template_name = "clinicpro/widgets/masked_secret.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})}, render_value=False)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, None, attrs)  # never hand the value to the template
        context["widget"].update(masked=mask(value), is_set=bool(value), clear_name=f"{name}__clear")
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if data.get(f"{name}__clear"):
            return CLEAR
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class MaskedSecretField(forms.CharField):
    """Blank means "keep the stored value"; CLEAR empties it."""

    widget = MaskedSecretWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs["required"] = False
        kwargs.pop("max_length", None)
        kwargs["strip"] = True
        super().__init__(**kwargs)
        if not self.help_text:
            self.help_text = "Stored encrypted. Leave blank to keep the current value."

    def clean(self, value: Any) -> Any:
        return CLEAR if value is CLEAR else super().clean(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return data is CLEAR or bool(data)


class _KeepSecretsForm:
    """ModelForm mixin turning the field's blank/CLEAR answers into the value to store."""

    def clean(self) -> dict:
        cleaned = super().clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if not isinstance(field, MaskedSecretField) or name not in cleaned:
                continue
            if cleaned[name] is CLEAR:
                cleaned[name] = ""
            elif not cleaned[name]:
                cleaned[name] = getattr(self.instance, name, "") or ""  # type: ignore[attr-defined]
        return cleaned


def _with_keep_secrets(form_class: type) -> type:
    return type(form_class.__name__, (_KeepSecretsForm, form_class), {})


def secret_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]


class MaskedSecretsAdminMixin:
    """For ModelAdmin and InlineModelAdmin subclasses of models with EncryptedTextFields."""

    model: type[models.Model]
    MASKED_PREFIX = "masked_secret__"

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, EncryptedTextField):
            return MaskedSecretField(label=db_field.verbose_name.capitalize(), help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_keep_secrets(super().get_form(request, obj, change=change, **kwargs))  # type: ignore[misc]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> type:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = _with_keep_secrets(formset.form)
        return formset

    # A read-only view (a user with only the view permission, or readonly_fields) would print the
    # plaintext: show the mask in its place.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return [self.MASKED_PREFIX + f if f in secret_field_names(self.model) else f for f in fields]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or self.has_change_permission(request, obj):  # type: ignore[call-arg]
            return fieldsets
        secrets = secret_field_names(self.model)

        def masked(fields: Any) -> list[Any]:
            return [
                masked(f) if isinstance(f, list | tuple) else self.MASKED_PREFIX + f if f in secrets else f
                for f in fields
            ]

        return [(name, {**options, "fields": masked(options["fields"])}) for name, options in fieldsets]

    def __getattr__(self, name: str) -> Callable[[Any], str]:
        if not name.startswith(MaskedSecretsAdminMixin.MASKED_PREFIX):
            raise AttributeError(name)
        field_name = name[len(MaskedSecretsAdminMixin.MASKED_PREFIX) :]

        def display(obj: Any) -> str:
            return mask(getattr(obj, field_name, "") if obj is not None else "")

        display.short_description = field_name.replace("_", " ").capitalize()  # type: ignore[attr-defined]
        return display
