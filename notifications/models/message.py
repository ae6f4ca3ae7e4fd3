"""The outbox: every email, SMS and WhatsApp message is a row before it is anything else."""

from django.db import models
from django.utils import timezone

from bookings.models import Booking
from clinicpro.models import Clinic


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class Kind(models.TextChoices):
    RECEIVED = "received", "Booking received"
    CONFIRMED = "confirmed", "Booking confirmed"
    RESCHEDULED = "rescheduled", "Booking moved"
    CANCELLED = "cancelled", "Booking cancelled"
    DECLINED = "declined", "Request declined"
    HOLD_EXPIRED = "hold_expired", "Hold lapsed"
    MEETING_CHANGED = "meeting_changed", "Meeting link changed"
    PAYMENT_RECEIPT = "payment_receipt", "Payment receipt"
    PAYMENT_REFUND = "payment_refund", "Payment to be refunded"
    REMINDER = "reminder", "Reminder"
    NEW_BOOKING = "new_booking", "New booking (practitioner)"
    BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled (practitioner)"
    ALERT = "alert", "Alert (owner or practitioner)"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent"
    # The gateway may have sent it: its answer was lost and it offers no way to look. Staff decide.
    UNKNOWN = "unknown", "May have been sent"


# Forward-only: a late "sent" report never undoes "delivered".
STATUS_RANK: dict[str, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.UNKNOWN: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.SKIPPED: 3,
}


class RecipientRole(models.TextChoices):
    PATIENT = "patient", "Patient"
    PRACTITIONER = "practitioner", "Practitioner"
    OWNER = "owner", "Owner"


class Message(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="messages")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient_role = models.CharField(max_length=20, choices=RecipientRole.choices)
    to = models.CharField(max_length=254)
    # What makes this message the one and only of its kind for this recipient: the booking and
    # its sequence (a reschedule gets its own message), plus the reminder offset or alert cause.
    dedupe_key = models.CharField(max_length=120)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    # The iTIP invitation attached to an email (METHOD:REQUEST or CANCEL).
    ics = models.TextField(blank=True)
    # Variables of the approved WhatsApp template ({"1": ..., "2": ...}).
    template_variables = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # An attempt's answer never came (timeout, lost response, dead worker): the gateway may have sent it,
    # so the next attempt looks for it there before sending again.
    answer_lost = models.BooleanField(default=False)
    provider = models.CharField(max_length=40, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    # SMS cost: how many parts and in which encoding (GSM-7 or UCS-2).
    parts = models.PositiveSmallIntegerField(default=0)
    encoding = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "kind", "channel", "to", "dedupe_key"], name="one_message_per_event_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["provider", "provider_message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()} to {self.to} ({self.status})"
