"""STK Push attempts and the money that actually arrived."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinicpro.models import Clinic

from .invoice import Invoice


class AttemptStatus(models.TextChoices):
    REQUESTING = "requesting", "Sending the prompt"
    PENDING = "pending", "Waiting for the phone"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed"
    NEEDS_REVIEW = "needs_review", "Needs review"


OPEN_ATTEMPT_STATUSES = (AttemptStatus.REQUESTING, AttemptStatus.PENDING)


class StkAttempt(models.Model):
    """One M-Pesa prompt sent to a patient's phone for an invoice."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="stk_attempts")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attempts")
    phone = models.CharField(max_length=15)
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=15, choices=AttemptStatus.choices, default=AttemptStatus.REQUESTING)
    merchant_request_id = models.CharField(max_length=64, blank=True)
    checkout_request_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    result_code = models.CharField(max_length=12, blank=True)
    result_desc = models.CharField(max_length=300, blank=True)
    # What the patient and staff read about the outcome.
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_queried_at = models.DateTimeField(null=True, blank=True)
    query_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One prompt at a time per invoice: a second push while one is open is refused by the database.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["requesting", "pending"]),
                name="payments_one_open_attempt_per_invoice",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"STK {self.checkout_request_id or '(not sent)'} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ATTEMPT_STATUSES


class PaymentSource(models.TextChoices):
    STK = "stk", "M-Pesa prompt"
    C2B = "c2b", "Paybill / Till"
    MANUAL = "manual", "Recorded by staff"


class Payment(models.Model):
    """Money received: an M-Pesa receipt (or a payment recorded at the desk)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="payments")
    # Null for a Paybill payment whose account number matched no invoice (it waits in the review queue).
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    attempt = models.OneToOneField(StkAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="payment")
    source = models.CharField(max_length=10, choices=PaymentSource.choices)
    # M-Pesa's receipt (TransID for C2B); blank until known when STK Query confirmed before the callback came.
    receipt_number = models.CharField(max_length=30, blank=True)
    amount = models.PositiveIntegerField()
    phone = models.CharField(max_length=80, blank=True, help_text="As M-Pesa gave it (C2B: hashed or masked).")
    payer_name = models.CharField(max_length=60, blank=True)
    bill_ref = models.CharField(max_length=40, blank=True)
    transaction_time = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_number"], condition=~Q(receipt_number=""), name="payments_receipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number or 'receipt pending'} KES {self.amount}"
