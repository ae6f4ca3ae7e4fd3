"""A booking's online meeting at one provider; the current one and its history."""

import uuid

from django.db import models
from django.db.models import Q

from bookings.models import Booking
from clinicpro.fields import EncryptedTextField

from ..registry import PROVIDER_CHOICES


class MeetingStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be created"
    CREATING = "creating", "Being created"
    ACTIVE = "active", "Ready"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="meetings")
    provider = models.CharField(max_length=40, choices=PROVIDER_CHOICES)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PENDING, db_index=True
    )
    # The one meeting a join link leads to; earlier ones stay as history with is_current False.
    is_current = models.BooleanField(default=True)
    is_fallback = models.BooleanField(default=False)
    # Fixed before the first provider call, so a retry after a lost response asks for the same meeting.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=1024, blank=True)
    join_url = models.URLField(max_length=2048, blank=True)
    # Host links open the meeting as its host: a secret, never shown to patients.
    host_url = EncryptedTextField(blank=True)
    passcode = EncryptedTextField(blank=True)
    # What the provider answered, minus secrets.
    raw = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    fallback_reason = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The times the provider was told, to see when a reschedule has not reached it yet.
    scheduled_starts_at = models.DateTimeField(null=True, blank=True)
    scheduled_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the provider confirmed the meeting gone; until then a cancelled or replaced meeting is still removed.
    provider_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(is_current=True), name="one_current_meeting_per_booking"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} meeting for booking {self.booking_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == MeetingStatus.ACTIVE
