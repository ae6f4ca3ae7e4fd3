from django import forms

from .models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.com"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PRACTITIONER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
