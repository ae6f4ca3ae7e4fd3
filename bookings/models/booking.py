import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models

from clinicpro.models import Clinic

from .patient import Patient
from .practitioner import Practitioner
from .service import Service


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired (not paid in time)"


# Statuses whose time is taken: the practitioner cannot be booked twice over them.
ACTIVE_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.AWAITING_PAYMENT,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


class CancelledBy(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINIC = "clinic", "Clinic"


def _manage_token() -> str:
    return secrets.token_urlsafe(24)


class Booking(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="bookings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The practitioner's time taken, buffers included; the no-overlap constraint works on this range.
    blocked_from = models.DateTimeField(editable=False)
    blocked_until = models.DateTimeField(editable=False)
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # Grows on every change the patient's calendar must learn about (ICS SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Unguessable key to the patient's manage page /b/<token>/.
    token = models.CharField(max_length=64, unique=True, default=_manage_token, editable=False)
    notes = models.TextField(blank=True)
    # What was booked, as it was called then: renaming the service later does not relabel history.
    service_name = models.CharField(max_length=120, blank=True)
    price = models.PositiveIntegerField(default=0, help_text="KES, fixed when booked.")
    is_online = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    status_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["clinic", "starts_at"]),
            models.Index(fields=["practitioner", "starts_at"]),
            # Confirmed online bookings not over yet: the meeting sweeper and the dashboard look for
            # those without a working link, which would otherwise read the whole history.
            models.Index(
                fields=["ends_at"],
                condition=models.Q(status=BookingStatus.CONFIRMED, is_online=True),
                name="booking_online_confirmed_ends",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.practitioner} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Fixed when the booking is made (and again by booking_reschedule), so a later change to the
        # service's buffers never makes an existing booking clash with its neighbours.
        if self.blocked_from is None or self.blocked_until is None:
            self.blocked_from, self.blocked_until = self.blocked_range()
        if not self.service_name and self.service_id:
            self.service_name = self.service.name
        super().save(*args, **kwargs)

    def blocked_range(self) -> tuple[datetime, datetime]:
        """The practitioner's time this booking takes: the appointment plus the service's buffers."""
        return (
            self.starts_at - timedelta(minutes=self.service.buffer_before_minutes),
            self.ends_at + timedelta(minutes=self.service.buffer_after_minutes),
        )

    @property
    def service_label(self) -> str:
        """The service's name when this was booked."""
        return self.service_name or self.service.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.clinic.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.clinic.zone)
