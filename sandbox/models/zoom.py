from django.db import models
from django.utils import timezone

from .oauth import Account


class ZoomMeeting(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="zoom_meetings")
    meeting_id = models.BigIntegerField(unique=True)
    uuid = models.CharField(max_length=32, unique=True)
    # The meeting as Zoom reports it, minus the start_url, which is minted fresh on every read.
    resource = models.JSONField(default=dict)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.meeting_id)


class ZoomDailyUsage(models.Model):
    """Meeting create/update calls per user per UTC day, against the account's daily cap."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="zoom_usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="sandbox_zoom_usage_unique")]

    def __str__(self) -> str:
        return f"{self.account.email} {self.day}: {self.calls}"
