"""The emulated M-Pesa's fixed facts: the demo app, test phone numbers and their outcomes."""

import secrets
import string

from .models import DarajaApp

# Safaricom's published sandbox shortcode and passkey.
DEMO_SHORTCODE = "174379"
DEMO_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
DEMO_CONSUMER_KEY = "sandbox-daraja-key"
DEMO_CONSUMER_SECRET = "sandbox-daraja-secret"
CORRECT_PIN = "1234"

# Numbers whose prompt answers itself, for tests; every other number waits on the virtual phone.
AUTO_RESULTS: dict[str, str] = {
    "254708374149": "0",  # Safaricom's published test number
    "254700000000": "0",
    "254700000001": "1",
    "254700001032": "1032",
    "254700001037": "1037",
    "254700002001": "2001",
}

RESULT_DESCRIPTIONS: dict[str, str] = {
    "0": "The service request is processed successfully.",
    "1": "The balance is insufficient for the transaction.",
    "1032": "Request cancelled by user.",
    "1037": "DS timeout user cannot be reached.",
    "2001": "The initiator information is invalid.",
}


def demo_app() -> DarajaApp:
    app, _ = DarajaApp.objects.get_or_create(
        consumer_key=DEMO_CONSUMER_KEY,
        defaults={"consumer_secret": DEMO_CONSUMER_SECRET, "shortcode": DEMO_SHORTCODE, "passkey": DEMO_PASSKEY},
    )
    return app


def create_app(*, consumer_key: str, consumer_secret: str, shortcode: str, passkey: str = DEMO_PASSKEY) -> DarajaApp:
    return DarajaApp.objects.create(
        consumer_key=consumer_key, consumer_secret=consumer_secret, shortcode=shortcode, passkey=passkey
    )


def receipt_number() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))
