"""A clinic's own M-Pesa account: its Daraja app, its shortcode, and the secret in its callback URLs."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinicpro.fields import EncryptedTextField
from clinicpro.models import Clinic

from ..daraja.credentials import DarajaCredentials, TransactionType
from ..daraja.messages import BANNED_URL_WORDS
from ..daraja.vendor import SAFARICOM_BASE_URLS


def url_safe_token(nbytes: int) -> str:
    """A random URL part Safaricom will accept: never holding one of the words it bans (exe, sql, cmd...)."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not any(word in token.lower() for word in BANNED_URL_WORDS):
            return token


def new_public_id() -> str:
    return url_safe_token(9)


def new_callback_secret() -> str:
    return url_safe_token(24)


class Environment(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (test money)"
    PRODUCTION = "production", "Production (real money)"


class AccountType(models.TextChoices):
    PAYBILL = "paybill", "Paybill"
    TILL = "till", "Till (Buy Goods)"


class MpesaSettings(models.Model):
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="mpesa_settings")
    is_enabled = models.BooleanField(default=True, help_text="Offer M-Pesa payment on booking pages.")
    environment = models.CharField(max_length=12, choices=Environment.choices, default=Environment.SANDBOX)
    base_url = models.URLField(blank=True, help_text="Leave blank for Safaricom's address of the environment.")
    account_type = models.CharField(max_length=10, choices=AccountType.choices, default=AccountType.PAYBILL)
    shortcode = models.CharField(max_length=7, help_text="Paybill number, or the store number of a till.")
    till_number = models.CharField(max_length=7, blank=True, help_text="Buy Goods only: the till that receives.")
    consumer_key = EncryptedTextField(blank=True)
    consumer_secret = EncryptedTextField(blank=True)
    passkey = EncryptedTextField(blank=True)
    # Callback URLs are /hooks/<public_id>/<secret>/...: the secret is the only thing that proves Safaricom.
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id, editable=False)
    callback_secret = EncryptedTextField(default=new_callback_secret)
    previous_callback_secret = EncryptedTextField(blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    allowed_ips = models.TextField(
        blank=True, help_text="Only accept callbacks from these addresses (one per line). Blank: any address."
    )
    c2b_registered_at = models.DateTimeField(null=True, blank=True)
    c2b_registration_error = models.CharField(max_length=300, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "M-Pesa settings"
        verbose_name_plural = "M-Pesa settings"

    def __str__(self) -> str:
        return f"M-Pesa {self.get_account_type_display()} {self.shortcode} ({self.clinic})"

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or SAFARICOM_BASE_URLS[self.environment]).rstrip("/")

    @property
    def is_usable(self) -> bool:
        return bool(self.is_enabled and self.shortcode and self.consumer_key and self.consumer_secret and self.passkey)

    @property
    def pay_to_number(self) -> str:
        """What patients enter in the M-Pesa menu: the Paybill number, or the till number."""
        return self.till_number if self.account_type == AccountType.TILL and self.till_number else self.shortcode

    def credentials(self) -> DarajaCredentials:
        return DarajaCredentials(
            base_url=self.effective_base_url,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            shortcode=self.shortcode,
            passkey=self.passkey,
            transaction_type=TransactionType.TILL if self.account_type == AccountType.TILL else TransactionType.PAYBILL,
            till_number=self.till_number,
            cache_key=f"payments:daraja-token:{self.clinic_id}:{self.environment}",
        )

    def secrets_accepted(self) -> list[str]:
        """The current callback secret, and the previous one during the grace period after a rotation."""
        accepted = [self.callback_secret]
        grace = timedelta(hours=settings.PAYMENTS_CALLBACK_SECRET_GRACE_HOURS)
        if self.previous_callback_secret and self.secret_rotated_at and timezone.now() < self.secret_rotated_at + grace:
            accepted.append(self.previous_callback_secret)
        return accepted

    def allowed_ip_list(self) -> list[str]:
        return [line.strip() for line in self.allowed_ips.replace(",", "\n").splitlines() if line.strip()]
