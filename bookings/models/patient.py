from django.conf import settings
from django.db import models

from clinicpro.models import Clinic


class ContactChannel(models.TextChoices):
    """How a patient asked to get their messages; email with the calendar invite goes out in every case."""

    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", "No texts, please"


class Patient(models.Model):
    """Someone who books at a clinic; a clinic's own record, linked to an account when they have one."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="patients")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=16, help_text="E.164, e.g. +254712345678")
    contact_preference = models.CharField(max_length=10, choices=ContactChannel.choices, default=ContactChannel.SMS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "email"], name="one_patient_per_email_per_clinic")]

    def __str__(self) -> str:
        return self.name
