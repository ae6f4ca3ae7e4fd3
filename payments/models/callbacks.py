"""Every callback as it arrived: stored before anything else, then processed."""

from django.db import models
from django.utils import timezone

from clinicpro.models import Clinic


class CallbackKind(models.TextChoices):
    STK = "stk", "STK result"
    C2B_VALIDATION = "c2b_validation", "C2B validation"
    C2B_CONFIRMATION = "c2b_confirmation", "C2B confirmation"


class CallbackStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    DUPLICATE = "duplicate", "Duplicate"
    UNMATCHED = "unmatched", "Unmatched"
    MALFORMED = "malformed", "Malformed"
    REJECTED = "rejected", "Rejected (wrong secret or address)"


class Callback(models.Model):
    # Null when the public id in the path names no clinic.
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="callbacks")
    kind = models.CharField(max_length=20, choices=CallbackKind.choices)
    public_id = models.CharField(max_length=40, blank=True)
    body = models.TextField(blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    # CheckoutRequestID or TransID, when the body could be read.
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.RECEIVED)
    error = models.CharField(max_length=300, blank=True)
    # What we answered (C2B validation answers are decisions).
    answer = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When a callback must wait (STK Query still "being processed"), the next pass is not before this.
    not_before = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id or '(unreadable)'} {self.status}"
