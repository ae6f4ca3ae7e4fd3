"""Forms of the booking pages, the dashboards and the service editor."""

from datetime import UTC, date, datetime
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet

from clinicpro.models import Clinic

from .formatting import utc_stamp
from .models import (
    AvailabilityException,
    BookingStatus,
    ConfirmationPolicy,
    ContactChannel,
    Practitioner,
    Service,
    WorkingHours,
)
from .phones import normalise_mobile
from .platform_plan import Outcome, PlatformPlan, join_names
from .selectors import BookingFilters

# Dates a booking can sensibly have; outside them a link is hostile or broken, and date
# arithmetic (time zones, durations, the day after) could overflow datetime's range.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def parse_slot(value: str | None) -> datetime | None:
    """A slot start as sent in links and forms: ISO 8601 in UTC ("2026-01-05T06:00:00Z")."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
        if moment.tzinfo is None or not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            return None
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def slot_value(moment: datetime) -> str:
    return utc_stamp(moment)


def parse_day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or EARLIEST_DAY <= day <= LATEST_DAY else None


class PatientDetailsForm(forms.Form):
    """Who the booking is for; the slot rides along so a re-rendered form keeps everything typed."""

    slot = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Full name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Email",
        help_text="The clinic uses it to reach you about this appointment.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Mobile number",
        max_length=20,
        help_text="For example 0712 345 678 or +254 712 345 678.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_preference = forms.ChoiceField(
        label="How should the clinic reach you?",
        choices=ContactChannel.choices,
        initial=ContactChannel.SMS,
        # Unanswered keeps what the patient chose before (SMS for someone new).
        required=False,
        help_text="Confirmations, changes and reminders come by text there, and by email with a calendar invite.",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Anything the practitioner should know? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_slot(self) -> datetime:
        moment = parse_slot(self.cleaned_data["slot"])
        if moment is None:
            raise ValidationError("Please pick a time.")
        return moment

    def clean_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class SlotForm(forms.Form):
    slot = forms.CharField()

    def clean_slot(self) -> datetime:
        moment = parse_slot(self.cleaned_data["slot"])
        if moment is None:
            raise ValidationError("Please pick a time.")
        return moment


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=300)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason shown to the patient",
        max_length=300,
        error_messages={"required": "Tell the patient why, so they know what to do next."},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='For example: "I am away that week; please book with Dr. Otieno."',
    )


class BookingFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Patient name, email or phone"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *BookingStatus.choices])
    practitioner = forms.ModelChoiceField(
        label="Practitioner", required=False, queryset=Practitioner.objects.none(), empty_label="All practitioners"
    )
    service = forms.ModelChoiceField(
        label="Service", required=False, queryset=Service.objects.none(), empty_label="All services"
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["practitioner"]).queryset = Practitioner.objects.filter(clinic=clinic)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.filter(clinic=clinic)

    def filters(self) -> BookingFilters:
        if not self.is_valid():
            return BookingFilters()
        data = self.cleaned_data
        return BookingFilters(
            query=data["q"],
            status=data["status"],
            practitioner_id=data["practitioner"].pk if data["practitioner"] else None,
            service_id=data["service"].pk if data["service"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


class PlatformSelect(forms.Select):
    """A select whose unusable platforms are shown, disabled, with the reason."""

    def __init__(self, *args: Any, unusable: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unusable = unusable or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.unusable:
            option["attrs"]["disabled"] = True
        return option


def with_next(fix_url: str, back_to: str) -> str:
    """Send the person to fix a platform and bring them back to this form."""
    if not fix_url or not back_to or "next=" in (urlsplit(fix_url).query or ""):
        return fix_url
    return f"{fix_url}{'&' if '?' in fix_url else '?'}{urlencode({'next': back_to})}"


class ServiceForm(forms.ModelForm):
    meeting_platform = forms.ChoiceField(label="Meeting platform", required=False)
    # The fallback the editor accepted, as "<platform>:<practitioner ids>": it counts only for the very
    # practitioners it named, so a changed choice is warned about again.
    accept_fallback = forms.CharField(required=False)

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "price",
            "is_online",
            "meeting_platform",
            "confirmation_policy",
            "min_notice_minutes",
            "horizon_days",
            "practitioners",
        ]
        labels = {
            "duration_minutes": "Duration (minutes)",
            "buffer_before_minutes": "Free time before (minutes)",
            "buffer_after_minutes": "Free time after (minutes)",
            "price": "Price (KES, 0 for free)",
            "is_online": "Online consultation",
            "min_notice_minutes": "Minimum notice (minutes)",
            "horizon_days": "Bookable up to (days ahead)",
            "practitioners": "Offered by",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "practitioners": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, clinic: Clinic, practitioner: Practitioner | None, back_to: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        offered_by = cast(forms.ModelMultipleChoiceField, self.fields["practitioners"])
        offered_by.queryset = Practitioner.objects.filter(clinic=clinic, is_active=True).order_by("display_name")
        offered_by.required = True
        if not self.instance.pk and practitioner is not None:
            self.initial["practitioners"] = [practitioner.pk]
        offering = self._practitioners_on_form(offered_by.queryset)
        # With nobody ticked yet, offer what anyone here could use; the outcomes wait for a choice.
        self.plan = PlatformPlan(clinic, offering or list(offered_by.queryset))
        self.platforms = self.plan.offered()
        self._set_platform_choices()
        self.platform_help = [
            {"platform": p, "fix_url": with_next(p.fix_url, back_to)}
            for p in (self.plan.platforms_of(practitioner).values() if practitioner else [])
            if not p.usable
        ]
        self.chosen = next((p for p in self.platforms if p.key == self["meeting_platform"].value()), None)
        self.outcomes = self.plan.outcomes(self.chosen.key) if self.chosen and offering and self._online() else []
        self.fallbacks = self._fallbacks_to_confirm()
        self.fallback_key = fallback_key(self.chosen.key, self.fallbacks) if self.chosen and self.fallbacks else ""

    def _fallbacks_to_confirm(self) -> list[Outcome]:
        """Some practitioners fall back: a warning to confirm. When all do, the platform is refused outright."""
        fallbacks = [outcome for outcome in self.outcomes if outcome.is_fallback]
        return fallbacks if len(fallbacks) < len(self.outcomes) else []

    def _practitioners_on_form(self, choices: QuerySet[Practitioner]) -> list[Practitioner]:
        """Who offers the service as the form stands: as posted, else as saved (or preset for a new one)."""
        ids = [str(value) for value in self["practitioners"].value() or []]
        return list(choices.filter(pk__in=[value for value in ids if value.isdigit()]))

    def _online(self) -> bool:
        return bool(self["is_online"].value())

    def _set_platform_choices(self) -> None:
        choices = [("", "Choose a platform")] + [
            (p.key, p.label if p.usable else f"{p.label} (not available: {p.reason or 'not set up'})")
            for p in self.platforms
        ]
        current = self.instance.meeting_platform if self.instance.pk else ""
        if current and current not in {p.key for p in self.platforms}:
            choices.append((current, f"{current} (no longer offered)"))
        platform_field = cast(forms.ChoiceField, self.fields["meeting_platform"])
        platform_field.choices = choices
        platform_field.widget = PlatformSelect(
            choices=choices, unusable={p.key: p.reason for p in self.platforms if not p.usable}
        )

    @property
    def fallback_warning(self) -> str:
        if not self.chosen or not self.fallbacks:
            return ""
        names = join_names([o.practitioner.display_name for o in self.fallbacks])
        backups = join_names(list(dict.fromkeys(o.label for o in self.fallbacks)))
        return (
            f"Not everyone offering this service can use {self.chosen.label}. "
            f"Bookings with {names} will use the backup instead: {backups}."
        )

    @property
    def fallback_accepted(self) -> bool:
        return bool(self.fallback_key) and self["accept_fallback"].value() == self.fallback_key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_online"):
            self._check_platform(data.get("meeting_platform") or "")
        else:
            data["meeting_platform"] = ""
        if data.get("confirmation_policy") == ConfirmationPolicy.PAYMENT and not data.get("price"):
            self.add_error("price", "A service confirmed on payment needs a price.")
        return data

    def _check_platform(self, platform: str) -> None:
        if not platform:
            self.add_error("meeting_platform", "An online service needs a meeting platform.")
        elif self.chosen is None or not self.chosen.usable:
            self.add_error(
                "meeting_platform",
                "That platform cannot be used yet by anyone offering this service: pick another, or set it up first.",
            )
        elif self.fallback_key and not self.fallback_accepted:
            self.add_error(
                "accept_fallback", f"To save, tick “Use {self.chosen.label} anyway”, or choose another platform."
            )

    def save(self, commit: bool = True) -> Service:
        self.instance.clinic = self.clinic
        return super().save(commit=commit)


def fallback_key(platform: str, fallbacks: list[Outcome]) -> str:
    """What a confirmation names: the platform, and who falls back from it."""
    return f"{platform}:{','.join(str(pk) for pk in sorted(o.practitioner.pk for o in fallbacks))}"


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start.")
        return data


class PractitionerProfileForm(forms.ModelForm):
    """What patients read when they choose whom to see."""

    class Meta:
        model = Practitioner
        fields = ["display_name", "specialty", "bio", "timezone"]
        labels = {"display_name": "Name shown to patients", "timezone": "Your timezone (optional)"}
        help_texts = {"timezone": "Blank means the clinic's timezone; e.g. Africa/Nairobi."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}


WorkingHoursFormSet = forms.modelformset_factory(WorkingHours, form=WorkingHoursForm, extra=1, can_delete=True)


class TimeOffForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=AvailabilityException.Kind.choices, initial=AvailabilityException.Kind.TIME_OFF)

    class Meta:
        model = AvailabilityException
        fields = ["date", "kind", "start_time", "end_time", "note"]
        labels = {"start_time": "From (empty for the whole day)", "end_time": "Until"}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if (start is None) != (end is None):
            raise ValidationError("Give both a start and an end time, or neither for the whole day.")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start.")
        if data.get("kind") == AvailabilityException.Kind.EXTRA and start is None:
            self.add_error("start_time", "Extra hours need a start and an end time.")
        return data
