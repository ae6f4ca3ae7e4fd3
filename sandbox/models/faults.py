from django.db import models
from django.utils import timezone

from .oauth import Service


class Fault(models.Model):
    """A scripted misbehaviour: the next `remaining` calls to an endpoint answer with `mode`.

    Endpoint names and modes are documented in sandbox/faults.py.
    """

    class Mode(models.TextChoices):
        SERVER_ERROR = "500", "500 server error"
        RATE_LIMITED = "429", "429 with Retry-After"
        UNAUTHORIZED = "401", "401 invalid token"
        TIMEOUT = "timeout", "Answer after the client gave up"
        DELAY = "delay", "Answer slowly"
        LOST_RESPONSE = "lost_response", "Act, then lose the response (502)"
        PENDING = "pending", "Conference stays pending"
        INVALID_GRANT = "invalid_grant", "Refuse the grant"
        RATE_LIMIT_403 = "403_rate_limit", "403 rateLimitExceeded (Google)"
        USER_RATE_LIMIT_403 = "403_user_rate_limit", "403 userRateLimitExceeded (Google)"
        QUOTA_403 = "403_quota", "403 quotaExceeded (Google)"
        CONFERENCE_FAILURE = "conference_failure", "Conference creation fails (Google)"
        NO_MEET = "no_meet", "Calendar cannot host Meet (Google)"

    service = models.CharField(max_length=16, choices=Service.choices)
    endpoint = models.CharField(max_length=64)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    # Calls left to answer this way; null keeps the fault until it is removed.
    remaining = models.PositiveIntegerField(null=True, blank=True, default=1)
    retry_after = models.PositiveIntegerField(default=1)
    # Send Retry-After as an HTTP date instead of seconds (Zoom has been seen doing both).
    retry_after_as_date = models.BooleanField(default=False)
    delay_seconds = models.FloatField(default=0)
    pending_reads = models.PositiveIntegerField(default=1)
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["service", "endpoint"])]

    def __str__(self) -> str:
        left = "until removed" if self.remaining is None else f"x{self.remaining}"
        return f"{self.service} {self.endpoint}: {self.mode} {left}"

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "service": self.service,
            "endpoint": self.endpoint,
            "mode": self.mode,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "retry_after_as_date": self.retry_after_as_date,
            "delay_seconds": self.delay_seconds,
            "pending_reads": self.pending_reads,
            "hits": self.hits,
        }
