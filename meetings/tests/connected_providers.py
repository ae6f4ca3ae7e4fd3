"""Scenes for the connected providers' tests: accounts at the emulators, and online bookings.

Practitioners connect the way they do on the site: the connect button, the
emulator's consent page and our callback run through Django's test client; the
code is redeemed by integrations over real HTTP against the emulator served by
`live_server`, and so are refreshes later.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Patient
from bookings.services import booking_approve
from clinicpro.testing.factories import ServiceFactory
from integrations.models import Connection
from integrations.selectors import active_connection, clinic_connection
from integrations.services import clinic_account_connect


def use_sandbox(settings: Any, live_server: Any) -> str:
    """Point integrations (and OAuth redirects) at the emulators on the live test server."""
    settings.INTEGRATIONS_USE_SANDBOX = True
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    settings.SITE_URL = live_server.url
    return settings.SANDBOX_BASE_URL


def connect_account(practitioner: Any, provider: str, email: str) -> Connection:
    """Connect `practitioner` to `provider` through integrations' own OAuth flow, approving as `email`."""
    client = Client()
    client.force_login(practitioner.membership.user)
    started = client.post(reverse("integrations:connect", args=[provider]), {"clinic": practitioner.clinic.slug})
    assert started.status_code == 302, started.content
    approved = client.post(_local(started["Location"]), {"email": email, "decision": "approve"})
    assert approved.status_code == 302, approved.content
    finished = client.get(_local(approved["Location"]))
    assert finished.status_code == 302, finished.content
    connection = active_connection(practitioner=practitioner, provider=provider)
    assert connection is not None, f"{provider} was not connected"
    return connection


def connect_clinic_zoom(clinic: Any, account_id: str = "uhuruhealth") -> Connection:
    """The clinic owner's Server-to-Server credentials, checked by integrations against the emulator over HTTP."""
    clinic_account_connect(
        provider="zoom",
        clinic=clinic,
        account_id=account_id,
        client_id="clinic-s2s-app",
        client_secret="clinic-s2s-secret",
    )
    connection = clinic_connection(clinic, provider="zoom")
    assert connection is not None
    return connection


def _local(url: str) -> str:
    """The path and query of an absolute URL on the live server, for the in-process test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def approve_online_booking(clinic: Any, practitioner: Any, platform: str) -> Booking:
    """A patient's online booking on `platform`, approved by the practitioner: the real confirmation signal fires."""
    service = ServiceFactory(
        clinic=clinic,
        name="Video consultation",
        meeting_platform=platform,
        confirmation_policy="manual",
        practitioners=[practitioner],
    )
    patient = Patient.objects.create(
        clinic=clinic, name="Baraka Njoroge", email="baraka@example.com", phone="+254712000111"
    )
    starts_at = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    booking = Booking.objects.create(
        clinic=clinic,
        service=service,
        practitioner=practitioner,
        patient=patient,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        status=BookingStatus.PENDING,
        is_online=True,
    )
    return booking_approve(booking=booking)
