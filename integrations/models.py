"""A practitioner's (or a clinic's) connection to a Google, Zoom or Microsoft account."""

from datetime import datetime

from django.db import models
from django.db.models import Q

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic, Membership


class Provider(models.TextChoices):
    GOOGLE = "google", "Google"
    ZOOM = "zoom", "Zoom"
    MICROSOFT = "microsoft", "Microsoft"


class ConnectionKind(models.TextChoices):
    OAUTH = "oauth", "Practitioner's account (OAuth)"
    SERVER_TO_SERVER = "server_to_server", "Clinic account (Zoom Server-to-Server)"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
    REVOKED = "revoked", "Disconnected"


class Connection(models.Model):
    """OAuth tokens (or Server-to-Server credentials) for one account at one provider.

    A practitioner's connection belongs to their membership; a clinic-wide Zoom
    Server-to-Server connection has no membership. Disconnected rows are kept,
    with their tokens blanked, so the history of who connected what stays visible.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="connections")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="connections"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    kind = models.CharField(max_length=20, choices=ConnectionKind.choices, default=ConnectionKind.OAUTH)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)

    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True, help_text="Granted scopes, space-separated.")
    account_email = models.EmailField(blank=True)

    # Zoom Server-to-Server credentials, entered by a clinic owner.
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
                fields=["clinic"],
                condition=Q(kind="server_to_server", provider="zoom") & ~Q(status="revoked"),
                name="integrations_one_live_zoom_s2s_per_clinic",
            ),
            models.CheckConstraint(
                condition=Q(kind="server_to_server", membership__isnull=True, provider="zoom")
                | Q(kind="oauth", membership__isnull=False),
                name="integrations_connection_owner_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "status"], name="integrations_clinic_status")]

    def __str__(self) -> str:
        owner = self.membership.user if self.membership_id else "whole clinic"
        return f"{self.get_provider_display()} for {owner} @ {self.clinic} ({self.get_status_display()})"

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
