from django.db import models
from django.utils import timezone

from clinicpro.models import Clinic

from .message import Channel


class OptOut(models.Model):
    """Someone who asked a clinic to stop: an unsubscribe link, an SMS STOP or a provider's opt-out error."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="message_opt_outs")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    source = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "channel", "address"], name="one_opt_out_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.address} opted out of {self.channel} from {self.clinic}"
