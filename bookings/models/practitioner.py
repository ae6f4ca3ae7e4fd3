import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models

from clinicpro.models import Clinic, Membership


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class Practitioner(models.Model):
    """A clinic member who sees patients, with a public profile."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="practitioners")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="practitioner")
    display_name = models.CharField(max_length=120)
    specialty = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="Blank means the clinic's timezone.")
    is_active = models.BooleanField(default=True)
    # Secret for the ICS subscription feed; regenerate to revoke old subscriptions.
    feed_token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.membership_id and self.clinic_id and self.membership.clinic_id != self.clinic_id:
            raise ValidationError({"membership": "The practitioner must be a member of this clinic."})
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValidationError({"timezone": "Unknown timezone, e.g. Africa/Nairobi."}) from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or self.clinic.timezone)

    @property
    def user(self):
        return self.membership.user
