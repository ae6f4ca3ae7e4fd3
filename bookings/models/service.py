from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinicpro.models import Clinic

from .practitioner import Practitioner

# No service lasts longer, so no booking does: a booking still running began at most this long ago.
LONGEST_SERVICE_MINUTES = 8 * 60


class ConfirmationPolicy(models.TextChoices):
    AUTOMATIC = "automatic", "Confirm automatically"
    MANUAL = "manual", "Practitioner approves each booking"
    PAYMENT = "payment", "Confirm when paid"


class Service(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="services")
    practitioners = models.ManyToManyField(Practitioner, related_name="services", blank=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(LONGEST_SERVICE_MINUTES)]
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    # Whole Kenyan shillings: M-Pesa takes integers only. 0 means free.
    price = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(250_000)])
    is_online = models.BooleanField(default=False)
    # Interpreted by the meetings app; bookings only stores them.
    meeting_platform = models.CharField(max_length=40, blank=True)
    meeting_settings = models.JSONField(default=dict, blank=True)
    confirmation_policy = models.CharField(
        max_length=20, choices=ConfirmationPolicy.choices, default=ConfirmationPolicy.AUTOMATIC
    )
    min_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0
