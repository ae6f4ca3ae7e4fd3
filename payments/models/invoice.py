"""What a patient owes for one booking, and where that stands."""

import re
import secrets

from django.db import models
from django.utils import timezone

from bookings.models import Booking
from clinicpro.models import Clinic

# No O/0 and no I/1: people read references aloud and type them at a Paybill.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8  # Daraja's AccountReference allows 12


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(typed: str) -> str:
    """What a payer typed as the account number, as we store references: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-_.]", "", typed or "").upper()


class InvoiceStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PENDING = "pending", "Payment in progress"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"
    REFUND_DUE = "refund_due", "Refund due"
    NEEDS_REVIEW = "needs_review", "Needs review"


S = InvoiceStatus
# Paid never goes back to owing: once money settled it, only a refund (refund_due) or a review may follow.
TRANSITIONS: dict[str, set[str]] = {
    S.UNPAID: {S.PENDING, S.PAID, S.CANCELLED, S.NEEDS_REVIEW, S.REFUND_DUE},
    S.PENDING: {S.UNPAID, S.PAID, S.CANCELLED, S.NEEDS_REVIEW, S.REFUND_DUE},
    S.PAID: {S.REFUND_DUE, S.NEEDS_REVIEW},
    S.NEEDS_REVIEW: {S.PAID, S.UNPAID, S.REFUND_DUE, S.CANCELLED},
    S.CANCELLED: {S.REFUND_DUE, S.NEEDS_REVIEW},
    S.REFUND_DUE: {S.NEEDS_REVIEW},
}
OPEN_STATUSES = (S.UNPAID, S.PENDING)


class InvalidInvoiceTransition(Exception):
    pass


class Invoice(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invoices")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="invoice")
    reference = models.CharField(max_length=12, default=new_reference, editable=False)
    amount = models.PositiveIntegerField(help_text="KES, whole shillings.")
    amount_paid = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.UNPAID)
    status_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refund_due_at = models.DateTimeField(null=True, blank=True)
    needs_review_at = models.DateTimeField(null=True, blank=True)
    # Staff record what they did about a review or a refund.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "reference"], name="payments_invoice_reference_per_clinic"),
            models.CheckConstraint(condition=models.Q(amount__gte=1), name="payments_invoice_amount_positive"),
        ]
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} (KES {self.amount})"

    @property
    def amount_due(self) -> int:
        return max(self.amount - self.amount_paid, 0)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def move_to(self, status: str, reason: str = "") -> list[str]:
        """Change status in memory (the caller saves the returned fields), or raise InvalidInvoiceTransition."""
        if status == self.status:
            return []
        if status not in TRANSITIONS[self.status]:
            raise InvalidInvoiceTransition(
                f"An invoice that is {self.get_status_display().lower()} cannot be {status}."
            )
        now = timezone.now()
        self.status = status
        changed = ["status", "updated_at"]
        stamps: dict[str, str] = {
            S.PAID: "paid_at",
            S.CANCELLED: "cancelled_at",
            S.REFUND_DUE: "refund_due_at",
            S.NEEDS_REVIEW: "needs_review_at",
        }
        stamp = stamps.get(status)
        if stamp:
            setattr(self, stamp, now)
            changed.append(stamp)
        if reason or status in (S.NEEDS_REVIEW, S.REFUND_DUE):
            self.status_reason = reason[:300]
            changed.append("status_reason")
        return changed
