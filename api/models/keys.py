"""Per-clinic API keys: shown once, stored as a public prefix and a SHA-256 hash of the whole key."""

from django.conf import settings
from django.db import models

from clinicpro.models import Clinic


class KeyScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class KeyAudience(models.TextChoices):
    STAFF = "staff", "Clinic staff tools (host and patient join links)"
    PATIENT = "patient", "Patient-facing apps (patient join links only)"


class ApiKey(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    # Public and unique: finds the row without scanning hashes, and lets people tell keys apart.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    # The key is 256 random bits, so a fast hash is enough: it cannot be guessed, only stolen.
    hashed_key = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=10, choices=KeyScope.choices, default=KeyScope.READ)
    audience = models.CharField(max_length=10, choices=KeyAudience.choices, default=KeyAudience.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.WRITE
