"""A booking's online meeting at one provider; the current one and its history.

The row is also the meeting's durable work item: `next_attempt_at` says when
something is due (create, move, delete at the vendor), and a worker holds a
short lease (`lease_expires_at`) while it talks to the provider. A worker that
dies loses only its lease; the next pass picks the row up again.
"""

import uuid
from typing import Any

from django.db import models
from django.db.models import Q

from bookings.models import Booking
from clinicpro.fields import EncryptedTextField

from ..providers.base import MeetingRecord
from ..registry import PROVIDER_CHOICES
from .audit import MeetingEvent, record_event


class MeetingStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be created"
    CREATING = "creating", "Being created"
    ACTIVE = "active", "Ready"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def current_for(self, booking: Booking | int) -> "Meeting | None":
        """The booking's current meeting (at most one exists), or None."""
        booking_id = booking if isinstance(booking, int) else booking.pk
        return self.filter(booking_id=booking_id, is_current=True).first()


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
    # When the next step is due (create, move or delete at the vendor); None when nothing is owed.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim ends here; after it, the claim counts as abandoned (the worker died).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # A create was sent and its answer never came back: the vendor may hold a meeting we have no id for.
    answer_lost = models.BooleanField(default=False)
    # Failed tries of the pending move or deletion, for its backoff.
    step_failures = models.PositiveSmallIntegerField(default=0)
    # Why people's link leads here now, when this meeting replaced another (fallback, regenerated).
    change_reason = models.CharField(max_length=300, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(is_current=True), name="one_current_meeting_per_booking"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["next_attempt_at"], condition=Q(next_attempt_at__isnull=False), name="meeting_due"),
            # Dashboard banners ask for these on every visit; without them each is a scan of every meeting.
            models.Index(
                fields=["booking"], condition=Q(is_current=True, is_fallback=True), name="meeting_current_fallback"
            ),
            models.Index(
                fields=["step_failures"],
                condition=Q(provider_deleted_at__isnull=True),
                name="meeting_undeleted_failures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} meeting for booking {self.booking_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == MeetingStatus.ACTIVE

    def as_record(self) -> MeetingRecord:
        """What the provider was told and answered, as providers read it back."""
        return MeetingRecord(
            external_id=self.external_id,
            join_url=self.join_url,
            host_url=self.host_url,
            passcode=self.passcode,
            raw=self.raw,
        )

    @property
    def may_exist_at_vendor(self) -> bool:
        """Whether the vendor may hold this meeting: we have its id, or a create's answer was lost."""
        return bool(self.external_id) or self.answer_lost

    def audit(self, action: str, outcome: str, **details: Any) -> MeetingEvent:
        """One row in the booking's audit trail about this meeting (error, detail, actor, duration_ms)."""
        return record_event(
            booking_id=self.booking_id,
            meeting_id=self.pk,
            provider=self.provider,
            action=action,
            outcome=outcome,
            **details,
        )
