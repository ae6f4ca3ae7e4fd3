"""Where Safaricom calls each clinic: paths holding its public id and secret, never mpesa or safaricom."""

from django.conf import settings
from django.urls import reverse

from .models import MpesaSettings

CALLBACK_NAMES = {
    "stk": "payments_stk_result",
    "c2b_validation": "payments_c2b_validation",
    "c2b_confirmation": "payments_c2b_confirmation",
}


def callback_url(mpesa: MpesaSettings, kind: str, secret: str | None = None) -> str:
    path = reverse(CALLBACK_NAMES[kind], args=[mpesa.public_id, secret or mpesa.callback_secret])
    return settings.PAYMENTS_CALLBACK_BASE_URL + path


def callback_urls(mpesa: MpesaSettings) -> dict[str, str]:
    return {kind: callback_url(mpesa, kind) for kind in CALLBACK_NAMES}
