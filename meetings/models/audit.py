"""The append-only trail of every provider call and meeting state change."""

from typing import Any

from django.db import models

from bookings.models import Booking


class EventAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    FIND = "find", "Look up"
    CLAIM = "claim", "Claim"
    RETRY = "retry", "Retry"
    FALLBACK = "fallback", "Fallback"
    REGENERATE = "regenerate", "Regenerate"
    JOIN = "join", "Join"
    STATUS = "status", "Status change"


class EventOutcome(models.TextChoices):
    OK = "ok", "OK"
    ERROR = "error", "Error"
    RETRY = "retry", "Will retry"
    SKIPPED = "skipped", "Skipped"


class AppendOnlyError(RuntimeError):
    pass


class MeetingEvent(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="meeting_events")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    action = models.CharField(max_length=20, choices=EventAction.choices)
    provider = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=10, choices=EventOutcome.choices)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # Human-readable; never holds tokens, URLs with tokens, or patient details.
    error = models.TextField(blank=True)
    # What happened, in words, when it is not an error (a regenerate's reason, a fallback's why).
    detail = models.CharField(max_length=500, blank=True)
    # "system", "worker", "patient" or "user:<id>".
    actor = models.CharField(max_length=40, default="system")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["booking", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.provider} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Meeting events are an audit trail: they are never changed.")
        super().save(*args, **kwargs)


def record_event(
    *,
    booking_id: int,
    action: str,
    outcome: str,
    meeting_id: int | None = None,
    provider: str = "",
    duration_ms: int | None = None,
    error: str = "",
    detail: str = "",
    actor: str = "system",
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        booking_id=booking_id,
        meeting_id=meeting_id,
        action=action,
        provider=provider,
        outcome=outcome,
        duration_ms=duration_ms,
        error=error[:2000],
        detail=detail[:500],
        actor=actor[:40],
    )
