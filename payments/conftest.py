"""Fixtures for payments: a clinic whose M-Pesa is the Daraja emulator on the live test server."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import ConfirmationPolicy
from bookings.services import booking_create
from payments.models import Invoice, MpesaSettings
from sandbox.daraja import world

SUCCESS_PHONE = "0700 000 000"
CANCEL_PHONE = "0700 001 032"
TIMEOUT_PHONE = "0700 001 037"
WRONG_PIN_PHONE = "0700 002 001"
BROKE_PHONE = "0700 000 001"


@pytest.fixture
def daraja_url(live_server, settings):
    """Callbacks and Daraja calls go over real HTTP to the live test server."""
    settings.SITE_URL = live_server.url
    settings.PAYMENTS_CALLBACK_BASE_URL = live_server.url
    return f"{live_server.url}/sandbox/daraja"


def mpesa_for(clinic, base_url: str, **changes) -> MpesaSettings:
    world.demo_app()
    values = {
        "environment": "sandbox",
        "base_url": base_url,
        "shortcode": world.DEMO_SHORTCODE,
        "consumer_key": world.DEMO_CONSUMER_KEY,
        "consumer_secret": world.DEMO_CONSUMER_SECRET,
        "passkey": world.DEMO_PASSKEY,
        **changes,
    }
    return MpesaSettings.objects.create(clinic=clinic, **values)


@pytest.fixture
def mpesa(clinic, daraja_url):
    return mpesa_for(clinic, daraja_url)


@pytest.fixture
def paid_service(service):
    service.price = 1500
    service.is_online = True
    service.meeting_platform = "selfhosted"
    service.confirmation_policy = ConfirmationPolicy.PAYMENT
    service.save()
    return service


def a_start(hours: float = 48):
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def book(paid_service, practitioner):
    def make(hours: float = 48, phone: str = "0712 345 678", email: str = "achieng@example.com"):
        return booking_create(
            service=paid_service,
            practitioner=practitioner,
            starts_at=a_start(hours),
            patient_name="Achieng Otieno",
            patient_email=email,
            patient_phone=phone,
            enforce_availability=False,
        )

    return make


@pytest.fixture
def invoice(book) -> Invoice:
    return Invoice.objects.get(booking=book())
