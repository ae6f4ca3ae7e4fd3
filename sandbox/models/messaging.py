from django.db import models
from django.utils import timezone

from .oauth import Service


class TextAccount(models.Model):
    """An SMS/WhatsApp gateway account: Africa's Talking (username + apiKey) or Twilio (AccountSid + AuthToken)."""

    service = models.CharField(max_length=16, choices=Service.choices)
    username = models.CharField(max_length=64)
    secret = models.CharField(max_length=128)
    # Money left, in the account's currency (Africa's Talking refuses with 405 at zero).
    balance = models.DecimalField(max_digits=10, decimal_places=4, default=1000)
    # Sender ids / numbers this account may send from.
    senders = models.JSONField(default=list, blank=True)
    # Africa's Talking takes these from its dashboard, not from each request.
    delivery_report_url = models.URLField(max_length=500, blank=True)
    # Approved WhatsApp templates (Twilio Content API): ContentSid -> text with {{1}}..{{n}}.
    templates = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "username"], name="sandbox_text_account_unique")]

    def __str__(self) -> str:
        return f"{self.service} {self.username}"


class TextMessage(models.Model):
    """An SMS or WhatsApp message a gateway accepted: what the recipient's phone would show."""

    account = models.ForeignKey(TextAccount, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, default="sms")
    message_id = models.CharField(max_length=64, unique=True)
    sender = models.CharField(max_length=40)
    to = models.CharField(max_length=40)
    body = models.TextField()
    segments = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, default="queued")
    status_callback = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the gateway passed it on to the network (Twilio's date_sent); null while it is queued.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id} to {self.to}"


class SentEmail(models.Model):
    """An email the sandbox mail backend took, as a mailbox would show it."""

    message_id = models.CharField(max_length=255)
    from_email = models.CharField(max_length=255)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # [{"filename", "content_type", "content"}] for text attachments (calendar invitations).
    attachments = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} to {', '.join(self.to)}"
