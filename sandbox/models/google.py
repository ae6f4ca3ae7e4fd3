from django.db import models
from django.utils import timezone

from .oauth import Account


class GoogleEvent(models.Model):
    """An event on an account's primary calendar, kept as the Calendar v3 resource."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="google_events")
    event_id = models.CharField(max_length=1024)
    resource = models.JSONField(default=dict)
    # Instants in UTC, for freeBusy.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Reads left before a `pending` conference turns to `success` (null: not pending).
    pending_reads = models.PositiveIntegerField(null=True, blank=True)
    # Invitation mails Google would have sent: [{"email", "method", "at"}].
    mails = models.JSONField(default=list)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "event_id"], name="sandbox_google_event_unique")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event_id} on {self.account.email}"


class GoogleBusyBlock(models.Model):
    """Busy time a test or the demo adds to a calendar without an event."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="busy_blocks")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"busy {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"
