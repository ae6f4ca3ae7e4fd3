"""Each clinic's choice of meeting providers and its self-hosted room server."""

from django.conf import settings
from django.db import models

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic

from ..registry import DEFAULT_PROVIDER, PROVIDER_CHOICES


def _default_base_url() -> str:
    return settings.MEETINGS_SELFHOSTED_BASE_URL


class ClinicMeetingSettings(models.Model):
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="meeting_settings")
    default_provider = models.CharField(max_length=40, choices=PROVIDER_CHOICES, default=DEFAULT_PROVIDER)
    fallback_provider = models.CharField(
        max_length=40,
        choices=PROVIDER_CHOICES,
        default=DEFAULT_PROVIDER,
        help_text="Gives a working link when the chosen provider fails for good.",
    )
    # The background documents call it `virtual_meeting_base_url`.
    base_url = models.URLField(
        "Room server",
        default=_default_base_url,
        help_text="Base URL of the Jitsi-compatible server that hosts ClinicPro rooms.",
    )
    jitsi_app_id = models.CharField(max_length=200, blank=True)
    jitsi_app_secret = EncryptedTextField(blank=True)
    jitsi_audience = models.CharField(max_length=200, default="jitsi")
    join_opens_minutes_before = models.PositiveSmallIntegerField(default=15)
    join_closes_minutes_after = models.PositiveSmallIntegerField(default=60)
    send_provider_invites = models.BooleanField(
        default=False,
        help_text="Let Google or Microsoft email their own invitation to patients as well.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic meeting settings"
        verbose_name_plural = "clinic meeting settings"

    def __str__(self) -> str:
        return f"Meeting settings of {self.clinic}"

    @property
    def uses_jwt(self) -> bool:
        """Per-participant tokens need both halves of the app credential."""
        return bool(self.jitsi_app_id and self.jitsi_app_secret)


def settings_for(clinic: Clinic) -> ClinicMeetingSettings:
    found, _created = ClinicMeetingSettings.objects.get_or_create(clinic=clinic)
    return found
