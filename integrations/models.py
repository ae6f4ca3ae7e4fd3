"""A practitioner's (or a clinic's) connection to an account at a vendor of integrations.vendors.registry."""

from datetime import datetime

from django.db import models
from django.db.models import Q

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic, Membership


class ConnectionKind(models.TextChoices):
    OAUTH = "oauth", "Practitioner's account (OAuth)"
    # The clinic's own app at the vendor (client credentials, e.g. Zoom Server-to-Server).
    SERVER_TO_SERVER = "server_to_server", "Clinic account (client credentials)"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
    REVOKED = "revoked", "Disconnected"


class Connection(models.Model):
    """OAuth tokens (or a clinic app's client credentials) for one account at one vendor.

    A practitioner's connection belongs to their membership; a clinic-wide
    connection has no membership. Disconnected rows are kept,
    with their tokens blanked, so the history of who connected what stays visible.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="connections")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="connections"
    )
    # A key of integrations.vendors.registry.
    provider = models.CharField(max_length=16)
    kind = models.CharField(max_length=20, choices=ConnectionKind.choices, default=ConnectionKind.OAUTH)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)

    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True, help_text="Granted scopes, space-separated.")
    account_email = models.EmailField(blank=True)

    # The clinic's own app credentials (client credentials), entered by a clinic owner.
    client_id = models.CharField(max_length=255, blank=True)
    client_secret = EncryptedTextField(blank=True)
    account_id = models.CharField(max_length=255, blank=True)

    last_error = models.TextField(blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # Set when reading the calendar's busy times failed; cleared by the next successful read.
    calendar_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clinic__name", "provider", "-created_at"]
        constraints = [
            # A reconnect reuses the row, so "not revoked" covers both active and needs_reconnect.
            models.UniqueConstraint(
                fields=["membership", "provider"],
                condition=Q(kind="oauth") & ~Q(status="revoked"),
                name="integrations_one_live_connection_per_member",
            ),
            models.UniqueConstraint(
                fields=["clinic", "provider"],
                condition=Q(kind="server_to_server") & ~Q(status="revoked"),
                name="integrations_one_live_clinic_account_per_vendor",
            ),
            models.CheckConstraint(
                condition=Q(kind="server_to_server", membership__isnull=True)
                | Q(kind="oauth", membership__isnull=False),
                name="integrations_connection_owner_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "status"], name="integrations_clinic_status")]

    def __str__(self) -> str:
        owner = self.membership.user if self.membership is not None else "whole clinic"
        return f"{self.provider_label} for {owner} @ {self.clinic} ({self.get_status_display()})"

    @property
    def provider_label(self) -> str:
        from .vendors.registry import label

        return label(self.provider)

    @property
    def is_active(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    @property
    def is_server_to_server(self) -> bool:
        return self.kind == ConnectionKind.SERVER_TO_SERVER

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def expires_within(self, seconds: float, *, now: datetime) -> bool:
        """Whether the access token is missing or expires within `seconds` of `now`."""
        if not self.access_token or self.expires_at is None:
            return True
        return (self.expires_at - now).total_seconds() <= seconds
