from django.db import models
from django.db.models import Q
from django.utils import timezone

from .oauth import Account


class GraphEvent(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="graph_events")
    event_id = models.CharField(max_length=200, unique=True)
    # Graph's idempotency key for POST /me/events.
    transaction_id = models.CharField(max_length=200, blank=True)
    resource = models.JSONField(default=dict)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="sandbox_graph_event_transaction_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.resource.get("subject") or self.event_id)


class GraphOnlineMeeting(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="graph_online_meetings")
    meeting_id = models.CharField(max_length=200, unique=True)
    external_id = models.CharField(max_length=200, blank=True)
    resource = models.JSONField(default=dict)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~Q(external_id=""),
                name="sandbox_graph_meeting_external_unique",
            )
        ]

    def __str__(self) -> str:
        return self.external_id or self.meeting_id
