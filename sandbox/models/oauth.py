"""Accounts at the emulated providers and the OAuth grants issued for them.

Codes and tokens are kept only as SHA-256 digests, as a real authorization
server would: the raw database never holds a usable credential.
"""

from django.db import models
from django.utils import timezone


class Service(models.TextChoices):
    GOOGLE = "google", "Google"
    ZOOM = "zoom", "Zoom"
    MICROSOFT = "microsoft", "Microsoft"
    AFRICASTALKING = "africastalking", "Africa's Talking"
    TWILIO = "twilio", "Twilio"


class OAuthClient(models.Model):
    """An app registered at a provider. Registered on first use, as a developer console would."""

    service = models.CharField(max_length=16, choices=Service.choices)
    client_id = models.CharField(max_length=255)
    secret_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "client_id"], name="sandbox_client_unique")]

    def __str__(self) -> str:
        return f"{self.service}:{self.client_id}"


class Account(models.Model):
    """A user at the provider: a Google account, a Zoom user, a Microsoft work account."""

    service = models.CharField(max_length=16, choices=Service.choices)
    email = models.EmailField()
    uid = models.CharField(max_length=64, help_text="Google sub, Zoom user id, Microsoft object id.")
    display_name = models.CharField(max_length=200, blank=True)
    # Zoom account id (Server-to-Server) or Microsoft tenant id.
    organization = models.CharField(max_length=64, blank=True)
    # Zoom's cap on meeting create/update calls per user per UTC day.
    daily_meeting_limit = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "email"], name="sandbox_account_unique")]
        ordering = ["service", "email"]

    def __str__(self) -> str:
        return f"{self.service}:{self.email}"


class AuthorizationCode(models.Model):
    service = models.CharField(max_length=16, choices=Service.choices)
    code_digest = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    client_id = models.CharField(max_length=255)
    redirect_uri = models.TextField()
    scope = models.TextField(blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=8, blank=True)
    issue_refresh_token = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.account} ({self.client_id})"


class Grant(models.Model):
    """One consent (or one Server-to-Server credential use); its tokens live and die together."""

    class Kind(models.TextChoices):
        USER = "user", "User consent"
        ACCOUNT = "account", "Server-to-Server"

    service = models.CharField(max_length=16, choices=Service.choices)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="grants")
    client_id = models.CharField(max_length=255)
    scope = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.USER)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.account} -> {self.client_id}"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())


class Token(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", "Access token"
        REFRESH = "refresh", "Refresh token"

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    # The last characters only, so the control page can tell tokens apart.
    hint = models.CharField(max_length=8)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind} …{self.hint}"
