"""Admin for connections, the settings check, endpoints from settings, and the meetings signal."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinicpro.testing.factories import UserFactory
from integrations.checks import check_provider_credentials
from integrations.models import Connection, ConnectionStatus
from integrations.vendors.oauth_urls import redirect_uri
from integrations.vendors.registry import vendor

ACCESS_TOKEN = "ya29.a-very-secret-access-token-value-0123456789"
REFRESH_TOKEN = "1//0a-very-secret-refresh-token-value-987654"


@pytest.fixture
def google_connection(practitioner):
    return Connection.objects.create(
        clinic=practitioner.clinic,
        membership=practitioner.membership,
        provider="google",
        access_token=ACCESS_TOKEN,
        refresh_token=REFRESH_TOKEN,
        expires_at=timezone.now() + timedelta(hours=1),
        account_email="wanjiru.kamau@gmail.test",
    )


@pytest.fixture
def platform_staff(db, client):
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_connections_with_tokens_masked(platform_staff, google_connection):
    changelist = platform_staff.get(reverse("admin:integrations_connection_changelist")).content.decode()
    change = platform_staff.get(
        reverse("admin:integrations_connection_change", args=[google_connection.pk])
    ).content.decode()

    assert "wanjiru.kamau@gmail.test" in changelist
    for page in (changelist, change):
        assert ACCESS_TOKEN not in page and REFRESH_TOKEN not in page
    assert "••••••••" in changelist


def test_the_admin_force_reconnect_action_marks_connections(platform_staff, google_connection):
    platform_staff.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "force_reconnect", "_selected_action": [google_connection.pk]},
    )

    stored = Connection.objects.get(pk=google_connection.pk)
    assert stored.status == ConnectionStatus.NEEDS_RECONNECT
    assert "Platform staff asked for a reconnect" in stored.last_error


def test_at_most_one_live_connection_per_practitioner_and_provider(google_connection):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(
            clinic=google_connection.clinic, membership=google_connection.membership, provider="google"
        )
    google_connection.status = ConnectionStatus.REVOKED
    google_connection.save()
    Connection.objects.create(
        clinic=google_connection.clinic, membership=google_connection.membership, provider="google"
    )


def test_an_enabled_provider_without_credentials_fails_the_check(settings):
    settings.INTEGRATIONS_PROVIDERS = ["google", "zoom"]
    settings.GOOGLE_CLIENT_ID = ""
    settings.GOOGLE_CLIENT_SECRET = ""

    errors = check_provider_credentials(None)

    assert [error.id for error in errors] == ["integrations.E002"]
    assert "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not set" in errors[0].msg


def test_an_unknown_provider_fails_the_check(settings):
    settings.INTEGRATIONS_PROVIDERS = ["webex"]

    assert [error.id for error in check_provider_credentials(None)] == ["integrations.E001"]


def test_endpoints_follow_the_settings_at_call_time(settings):
    settings.INTEGRATIONS_USE_SANDBOX = True
    settings.SANDBOX_BASE_URL = "http://localhost:9999/sandbox"
    settings.MICROSOFT_TENANT = "uhuru-tenant"
    assert vendor("google").endpoints().token == "http://localhost:9999/sandbox/google/token"
    assert vendor("microsoft").endpoints().authorize == (
        "http://localhost:9999/sandbox/microsoft/uhuru-tenant/oauth2/v2.0/authorize"
    )

    settings.INTEGRATIONS_USE_SANDBOX = False
    assert vendor("zoom").endpoints().api == "https://api.zoom.us/v2"
    assert vendor("google").endpoints().userinfo == "https://openidconnect.googleapis.com/v1/userinfo"
    assert vendor("microsoft").endpoints().revoke == ""

    settings.SITE_URL = "https://clinicpro.example"
    assert redirect_uri("google") == "https://clinicpro.example/integrations/callback/google/"


def test_a_provider_rejecting_credentials_marks_the_connection_for_reconnect(google_connection, practitioner):
    from meetings.signals import provider_credentials_rejected

    provider_credentials_rejected.send(
        sender=object,
        provider="google",
        clinic=practitioner.clinic,
        practitioner=practitioner,
        error="Google answered 401 after a refresh.",
    )

    stored = Connection.objects.get(pk=google_connection.pk)
    assert stored.status == ConnectionStatus.NEEDS_RECONNECT
    assert stored.last_error == "Google answered 401 after a refresh."
