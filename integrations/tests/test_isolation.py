"""Nobody sees or uses another practitioner's or another clinic's connection."""

import pytest
from django.db import connection as db_connection
from django.http import Http404
from django.test import Client
from django.urls import reverse

from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, UserFactory
from integrations.models import Connection, ConnectionStatus
from integrations.selectors import active_connection, connection_for_user

from .conftest import EMAILS, answer_consent, start_connect

pytestmark = pytest.mark.django_db(transaction=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_tokens_are_encrypted_at_rest(connected):
    connection = connected("google")

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_connection WHERE id = %s", [connection.pk])
        raw_access, raw_refresh = cursor.fetchone()

    assert connection.access_token.startswith("ya29.")
    assert connection.access_token not in raw_access and "ya29." not in raw_access
    assert connection.refresh_token not in raw_refresh
    assert raw_access.startswith("gAAAA")  # Fernet


def test_another_practitioner_cannot_see_or_use_the_connection(connected, colleague, stranger, practitioner):
    connection = connected("google")

    assert connection_for_user(practitioner.user, connection.pk) == connection
    for outsider in (colleague.user, stranger):
        with pytest.raises(Http404):
            connection_for_user(outsider, connection.pk)
    assert active_connection(practitioner=colleague, provider="google") is None
    assert active_connection(practitioner=practitioner, provider="google") == connection


def test_a_colleague_cannot_disconnect_the_practitioners_account(connected, colleague):
    connection = connected("zoom")

    response = _client_for(colleague.user).post(reverse("integrations:disconnect", args=["zoom"]), {"clinic": "uhuru"})

    assert response.status_code == 404
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


def test_another_clinics_member_gets_404_for_this_clinic(connected, stranger):
    connection = connected("zoom")
    client = _client_for(stranger)

    assert client.post(reverse("integrations:disconnect", args=["zoom"]), {"clinic": "uhuru"}).status_code == 404
    assert client.post(reverse("integrations:connect", args=["zoom"]), {"clinic": "uhuru"}).status_code == 404
    assert client.get(reverse("integrations:page") + "?clinic=uhuru").status_code == 404
    assert client.post(reverse("integrations:clinic_account", args=["zoom"]), {"clinic": "uhuru"}).status_code == 404
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


def test_the_integrations_page_shows_only_the_members_own_connection(connected, colleague):
    connected("google")

    page = _client_for(colleague.user).get(reverse("integrations:page")).content.decode()

    assert EMAILS["google"] not in page
    assert "Not connected" in page


def test_a_callback_finished_in_someone_elses_session_is_refused(sandbox, practitioner_client, colleague):
    consent = answer_consent(start_connect(practitioner_client, "google", "uhuru"), email=EMAILS["google"])

    # The link lands in another signed-in browser (a forwarded link, a login CSRF attempt).
    _client_for(colleague.user).get(consent.callback_path)

    assert not Connection.objects.exists()


def test_only_owners_set_the_clinics_zoom_account(sandbox, practitioner_client):
    response = practitioner_client.post(
        reverse("integrations:clinic_account", args=["zoom"]),
        {"clinic": "uhuru", "account_id": "acct", "client_id": "cid", "client_secret": "secret"},
    )

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_a_member_of_two_clinics_connects_each_separately(sandbox, practitioner, other_clinic):
    from clinicpro.testing.factories import PractitionerFactory

    second = PractitionerFactory(
        membership=MembershipFactory(clinic=other_clinic, role=Role.PRACTITIONER, user=practitioner.user)
    )
    client = _client_for(practitioner.user)
    consent = answer_consent(start_connect(client, "zoom", "mombasa"), email=EMAILS["zoom"])
    landing = client.get(client.get(consent.callback_path)["Location"]).content.decode()

    assert f"Zoom is connected as {EMAILS['zoom']} for Mombasa Care." in landing
    assert active_connection(practitioner=second, provider="zoom") is not None
    assert active_connection(practitioner=practitioner, provider="zoom") is None
    page = client.get(reverse("integrations:page") + "?clinic=uhuru").content.decode()
    assert "Mombasa Care" in page and EMAILS["zoom"] not in page


def test_staff_without_a_practitioner_profile_cannot_connect(sandbox, clinic):
    staff = MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="reception")).user
    client = _client_for(staff)

    response = client.post(reverse("integrations:connect", args=["google"]), {"clinic": "uhuru"})

    assert response.status_code == 302 and "/integrations/" in response["Location"]
    assert "Only practitioners connect their own accounts." in client.get(response["Location"]).content.decode()
