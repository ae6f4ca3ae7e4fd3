"""What a POST answered, under the client's Idempotency-Key, so a retry gets the same answer."""

from django.db import models

from clinicpro.models import Clinic


class IdempotencyRecord(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    # "key:<id>" or "user:<id>": two clients may pick the same key without meeting each other.
    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and canonical body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "principal", "key"], name="api_one_record_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key} -> {self.response_status}"
