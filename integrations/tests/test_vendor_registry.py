"""Adding a vendor is its package plus one registry line: every page that lists vendors offers it."""

import re

import pytest

from integrations.checks import check_provider_credentials
from integrations.vendors import registry


@pytest.fixture
def whereby_registered(monkeypatch, settings):
    """The one line a new vendor adds to integrations/vendors/registry.py, plus its settings."""
    monkeypatch.setitem(registry.VENDORS, "whereby", "integrations.tests.fake_vendor.WHEREBY")
    settings.INTEGRATIONS_PROVIDERS = [*settings.INTEGRATIONS_PROVIDERS, "whereby"]
    settings.WHEREBY_CLIENT_ID = "whereby-client"
    settings.WHEREBY_CLIENT_SECRET = "whereby-secret"


def test_a_registered_vendor_is_offered_in_the_service_editor(whereby_registered, client, clinic, practitioner):
    client.force_login(practitioner.user)

    page = client.get(f"/c/{clinic.slug}/services/new/").content.decode()

    assert re.search(r'<option value="whereby"[^>]*>\s*Whereby', page)


def test_a_registered_vendor_has_a_card_on_the_integrations_page(whereby_registered, client, practitioner):
    client.force_login(practitioner.user)

    page = client.get("/integrations/").content.decode()

    assert 'id="integration-whereby"' in page
    assert "Whereby rooms for your online bookings." in page
    assert 'action="/integrations/whereby/connect/"' in page


def test_a_registered_vendor_is_checked_like_the_others(whereby_registered, settings):
    assert check_provider_credentials(None) == []
    settings.WHEREBY_CLIENT_SECRET = ""

    [error] = check_provider_credentials(None)

    assert error.id == "integrations.E002" and "WHEREBY_CLIENT_SECRET" in error.msg


def test_an_unregistered_vendor_has_no_pages(client, practitioner):
    client.force_login(practitioner.user)

    assert client.post("/integrations/whereby/connect/", {"clinic": "uhuru"}).status_code == 404
    assert "integration-whereby" not in client.get("/integrations/").content.decode()


def test_every_registered_vendor_resolves_to_its_own_descriptor():
    assert [vendor.key for vendor in registry.vendors()] == list(registry.VENDORS)
