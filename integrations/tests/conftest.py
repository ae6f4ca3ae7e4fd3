"""Fixtures for integrations: the emulators on the live server, and the OAuth dance through them."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, UserFactory
from integrations.models import Connection

EMAILS = {
    "google": "wanjiru.kamau@gmail.test",
    "zoom": "wanjiru.kamau@zoom.test",
    "microsoft": "wanjiru.kamau@uhuruhealth.onmicrosoft.test",
}


@pytest.fixture
def sandbox(settings, live_server):
    """Point every provider endpoint at the emulators served by the live server."""
    settings.INTEGRATIONS_USE_SANDBOX = True
    settings.SANDBOX_BASE_URL = live_server.url + "/sandbox"
    return live_server


@pytest.fixture
def practitioner_client(practitioner) -> Client:
    client = Client()
    client.force_login(practitioner.user)
    return client


@pytest.fixture
def colleague(clinic):
    """Another practitioner of the same clinic."""
    membership = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="otieno"))
    return PractitionerFactory(membership=membership, display_name="Dr. Otieno Odhiambo")


@dataclass
class Consent:
    """What happened at the provider's consent page."""

    authorize_url: str
    callback_url: str  # where the provider sent the browser back (our redirect_uri with code/state or error)

    @property
    def params(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(self.callback_url).query).items()}

    @property
    def callback_path(self) -> str:
        parts = urlsplit(self.callback_url)
        return f"{parts.path}?{parts.query}"


def start_connect(client: Client, provider: str, clinic_slug: str, next_url: str = "") -> str:
    """Press "Connect" on /integrations/: the provider's authorize URL we are sent to."""
    data = {"clinic": clinic_slug}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("integrations:connect", args=[provider]), data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def answer_consent(authorize_url: str, *, email: str, decision: str = "approve") -> Consent:
    """Open the emulator's consent page over HTTP and press Allow (or Deny) as `email`."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "the consent page has no form"
    answer = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": token.group(1), "email": email, "decision": decision},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return Consent(authorize_url=authorize_url, callback_url=answer.headers["Location"])


def connect(client: Client, provider: str, clinic_slug: str, *, email: str | None = None):
    """The whole dance; returns our callback's response."""
    consent = answer_consent(start_connect(client, provider, clinic_slug), email=email or EMAILS[provider])
    return client.get(consent.callback_path)


@pytest.fixture
def connected(sandbox, practitioner, practitioner_client):
    """Connect `provider` for the practitioner through the emulator; returns the Connection."""

    def _connect(provider: str) -> Connection:
        response = connect(practitioner_client, provider, practitioner.clinic.slug)
        assert response.status_code == 302, response.content[:500]
        return Connection.objects.get(membership=practitioner.membership, provider=provider, status="active")

    return _connect
