from django.db import models
from django.utils import timezone

from clinicpro.models import Clinic


class DeliveryReport(models.Model):
    """A delivery report or inbound text as it arrived, stored before it is acted on."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        UNMATCHED = "unmatched", "No such message"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="delivery_reports")
    vendor = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, default="status")
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.kind} {self.external_id} ({self.state})"
