"""Clinic-level M-Pesa operations: test the connection, rotate the callback secret, register C2B URLs."""

from django.utils import timezone

from .daraja import DarajaError
from .gateway import NotConfigured, daraja_for
from .models import MpesaSettings
from .models.mpesa_settings import new_callback_secret
from .urls_callbacks import callback_url


def mpesa_settings_test(*, mpesa: MpesaSettings) -> str:
    """'' when Daraja gives a token for the clinic's keys; otherwise what is wrong, in words."""
    try:
        daraja_for(mpesa).test_connection()
        problem = ""
    except (DarajaError, NotConfigured) as exc:
        problem = str(exc)
    MpesaSettings.objects.filter(pk=mpesa.pk).update(last_test_at=timezone.now(), last_test_error=problem[:300])
    return problem


def mpesa_secret_rotate(*, mpesa: MpesaSettings) -> MpesaSettings:
    """A new callback secret; the old one is still accepted for PAYMENTS_CALLBACK_SECRET_GRACE_HOURS."""
    mpesa.previous_callback_secret = mpesa.callback_secret
    mpesa.callback_secret = new_callback_secret()
    mpesa.secret_rotated_at = timezone.now()
    mpesa.save(update_fields=["previous_callback_secret", "callback_secret", "secret_rotated_at", "updated_at"])
    return mpesa


def mpesa_c2b_register(*, mpesa: MpesaSettings, response_type: str = "Completed") -> str:
    """Tell Daraja where to send Paybill/Till payments; '' on success, else why not."""
    try:
        daraja_for(mpesa).c2b_register(
            confirmation_url=callback_url(mpesa, "c2b_confirmation"),
            validation_url=callback_url(mpesa, "c2b_validation"),
            response_type=response_type,
        )
    except (DarajaError, NotConfigured) as exc:
        MpesaSettings.objects.filter(pk=mpesa.pk).update(c2b_registration_error=str(exc)[:300])
        return str(exc)
    MpesaSettings.objects.filter(pk=mpesa.pk).update(c2b_registered_at=timezone.now(), c2b_registration_error="")
    return ""
