from django.db import models
from django.utils import timezone

from clinicpro.models import Clinic


class DarajaAudit(models.Model):
    """One Daraja request and its answer, append-only, with secrets and phone numbers masked."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="daraja_audit")
    operation = models.CharField(max_length=20)
    path = models.CharField(max_length=100)
    request_body = models.JSONField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "created_at"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.status_code or '-'} {self.error_code}"
