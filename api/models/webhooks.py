"""Outgoing webhooks: a clinic's endpoints, the outbox of deliveries, and every attempt made."""

import base64
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic


class WebhookEvent(models.TextChoices):
    BOOKING_CREATED = "booking.created", "A booking was made"
    BOOKING_CONFIRMED = "booking.confirmed", "A booking was confirmed"
    BOOKING_RESCHEDULED = "booking.rescheduled", "A booking was moved"
    BOOKING_CANCELLED = "booking.cancelled", "A booking was cancelled"
    MEETING_READY = "meeting.ready", "A booking's meeting link works"
    MEETING_CHANGED = "meeting.changed", "A booking's meeting changed"
    PAYMENT_COMPLETED = "payment.completed", "A payment completed"
    PAYMENT_FAILED = "payment.failed", "A payment failed"


def new_signing_secret() -> str:
    """`whsec_` and 32 random bytes in base64, as Standard Webhooks writes secrets."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookEndpoint(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Event type names (WebhookEvent values) this endpoint receives.
    events = models.JSONField(default=list)
    secret = EncryptedTextField(default=new_signing_secret)
    # After a rotation the old secret signs too, for WEBHOOKS_SECRET_GRACE_HOURS, so receivers can switch over.
    previous_secret = EncryptedTextField(blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    @property
    def previous_secret_expires_at(self) -> datetime | None:
        if not self.previous_secret or self.secret_rotated_at is None:
            return None
        return self.secret_rotated_at + timedelta(hours=settings.WEBHOOKS_SECRET_GRACE_HOURS)

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery sent at `now` is signed with: the current one, and the previous during its grace."""
        expires_at = self.previous_secret_expires_at
        if expires_at is not None and now < expires_at:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"


class WebhookDelivery(models.Model):
    """One message to one endpoint. Written in the transaction of the event it tells of."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The webhook-id header: the same on every retry and replay, so receivers can deduplicate.
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id, editable=False)
    # The exact bytes signed and sent, fixed when the event happened.
    body = models.TextField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id} ({self.status})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    # Why it failed, in words, without the URL or any secret.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} in {self.latency_ms} ms"
