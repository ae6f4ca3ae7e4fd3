"""Demo data of payments: the demo clinic takes M-Pesa through the Daraja emulator.

Called by `manage.py seed_demo` last; idempotent. With the sandbox mounted, a
patient books the paid video session, pays on the virtual phone and gets the link.
"""

from typing import Any

from django.apps import apps
from django.conf import settings

from .models import MpesaSettings


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    if not apps.is_installed("sandbox.daraja"):
        return context
    from sandbox.daraja import world  # the emulator's published sandbox app

    world.demo_app()
    mpesa, created = MpesaSettings.objects.get_or_create(
        clinic=clinic,
        defaults={
            "environment": "sandbox",
            "base_url": f"{settings.SANDBOX_BASE_URL}/daraja",
            "shortcode": world.DEMO_SHORTCODE,
            "consumer_key": world.DEMO_CONSUMER_KEY,
            "consumer_secret": world.DEMO_CONSUMER_SECRET,
            "passkey": world.DEMO_PASSKEY,
        },
    )
    if not created and mpesa.base_url != f"{settings.SANDBOX_BASE_URL}/daraja" and mpesa.environment == "sandbox":
        # The demo moved (another HOST or PORT): follow it.
        mpesa.base_url = f"{settings.SANDBOX_BASE_URL}/daraja"
        mpesa.save(update_fields=["base_url", "updated_at"])
    context["lines"]["payments"].append(
        f"M-Pesa (emulated): pay on the virtual phone at {settings.SANDBOX_BASE_URL}/daraja/phone/ "
        f"(PIN {world.CORRECT_PIN})"
    )
    return context
