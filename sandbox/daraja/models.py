"""The emulated M-Pesa: Daraja apps, their tokens, prompts on phones, C2B registrations and fault scripts.

Kept in the database so the web process answering Daraja calls, the threads
delivering callbacks and the virtual phone page see the same world.
"""

from django.db import models
from django.utils import timezone


class DarajaApp(models.Model):
    consumer_key = models.CharField(max_length=100, unique=True)
    consumer_secret = models.CharField(max_length=100)
    shortcode = models.CharField(max_length=7)
    passkey = models.CharField(max_length=100)
    business_name = models.CharField(max_length=100, default="ClinicPro Demo Clinic")

    def __str__(self) -> str:
        return f"{self.shortcode} ({self.consumer_key})"


class DarajaToken(models.Model):
    app = models.ForeignKey(DarajaApp, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    # Daraja may invalidate a token when the app asks for a new one.
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"token of {self.app_id}"


class StkPrompt(models.Model):
    class Status(models.TextChoices):
        PROMPTING = "prompting", "Waiting on the phone"
        DONE = "done", "Answered"

    app = models.ForeignKey(DarajaApp, on_delete=models.CASCADE, related_name="prompts")
    merchant_request_id = models.CharField(max_length=40)
    checkout_request_id = models.CharField(max_length=40, unique=True)
    phone = models.CharField(max_length=12, db_index=True)
    amount = models.PositiveIntegerField()
    account_reference = models.CharField(max_length=12)
    description = models.CharField(max_length=13, blank=True)
    callback_url = models.URLField(max_length=500)
    transaction_type = models.CharField(max_length=30)
    party_b = models.CharField(max_length=7)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROMPTING)
    result_code = models.CharField(max_length=8, blank=True)
    result_desc = models.CharField(max_length=200, blank=True)
    receipt_number = models.CharField(max_length=12, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    callbacks_sent = models.PositiveIntegerField(default=0)
    # What delivering the callback met: ["200 12ms", "refused: ..."].
    deliveries = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.checkout_request_id} {self.status}"


class C2BRegistration(models.Model):
    shortcode = models.CharField(max_length=7, unique=True)
    version = models.CharField(max_length=2, default="v2")
    response_type = models.CharField(max_length=10)
    confirmation_url = models.URLField(max_length=500)
    validation_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"C2B {self.shortcode}"


class C2BTransaction(models.Model):
    trans_id = models.CharField(max_length=12, unique=True)
    shortcode = models.CharField(max_length=7)
    phone = models.CharField(max_length=12)
    amount = models.CharField(max_length=12)
    bill_ref = models.CharField(max_length=40, blank=True)
    validation_answer = models.CharField(max_length=200, blank=True)
    confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.trans_id


class DarajaFault(models.Model):
    """A scripted misbehaviour for the next `remaining` calls (see sandbox/daraja/faults.py)."""

    endpoint = models.CharField(max_length=20)
    mode = models.CharField(max_length=20)
    remaining = models.PositiveIntegerField(null=True, blank=True, default=1)
    result_code = models.CharField(max_length=8, blank=True)
    copies = models.PositiveIntegerField(default=1)
    concurrent = models.BooleanField(default=False)
    delay_seconds = models.FloatField(default=0)
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.mode}"
