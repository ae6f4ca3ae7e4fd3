"""The webhook receiver's inboxes and what they received."""

from django.db import models


class WebhookInbox(models.Model):
    """A named receiver at /sandbox/webhooks/<slug>/ that knows the signing secret it verifies with."""

    slug = models.SlugField(max_length=60, unique=True)
    secret = models.CharField(max_length=100)
    # Scripted answers: the next `fail_remaining` requests get `fail_status` (null remaining: until changed).
    fail_status = models.PositiveSmallIntegerField(null=True, blank=True)
    fail_remaining = models.PositiveIntegerField(null=True, blank=True)
    retry_after = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ReceivedWebhook(models.Model):
    inbox = models.ForeignKey(WebhookInbox, on_delete=models.CASCADE, related_name="received")
    received_at = models.DateTimeField(auto_now_add=True)
    webhook_id = models.CharField(max_length=100, blank=True, db_index=True)
    event_type = models.CharField(max_length=60, blank=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    verified = models.BooleanField(default=False)
    verification_error = models.CharField(max_length=200, blank=True)
    answered_status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type or 'webhook'} {self.webhook_id} -> {self.answered_status}"
