"""An owner connects Zoom for the whole clinic with Server-to-Server credentials."""

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from integrations.errors import ReconnectRequired
from integrations.models import Connection, ConnectionKind, ConnectionStatus
from integrations.selectors import clinic_connection
from integrations.tokens import access_token_for
from sandbox import faults

pytestmark = pytest.mark.django_db(transaction=True)

CREDENTIALS = {"account_id": "uhuruAcct42", "client_id": "s2s-client-uhuru", "client_secret": "s2s-secret-value-123"}


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def _save(client: Client, **changes: str):
    return client.post(
        reverse("integrations:clinic_account", args=["zoom"]), {"clinic": "uhuru", **CREDENTIALS, **changes}
    )


def test_an_owner_connects_zoom_for_the_whole_clinic(sandbox, owner_client, clinic):
    response = _save(owner_client)

    assert response.status_code == 302
    connection = clinic_connection(clinic, provider="zoom")
    assert connection is not None
    assert connection.kind == ConnectionKind.SERVER_TO_SERVER and connection.membership is None
    assert connection.account_id == "uhuruAcct42" and connection.client_secret == CREDENTIALS["client_secret"]
    assert connection.access_token and not connection.refresh_token
    page = owner_client.get(response["Location"]).content.decode()
    assert "Zoom accepted the credentials" in page and "uhuruAcct42" in page
    assert CREDENTIALS["client_secret"] not in page


def test_the_client_secret_is_encrypted_at_rest(sandbox, owner_client, clinic):
    _save(owner_client)

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT client_secret, access_token FROM integrations_connection")
        raw_secret, raw_token = cursor.fetchone()

    assert CREDENTIALS["client_secret"] not in raw_secret
    assert clinic_connection(clinic, provider="zoom").access_token not in raw_token


def test_an_expired_server_to_server_token_is_asked_for_again(sandbox, owner_client, clinic):
    _save(owner_client)
    connection = clinic_connection(clinic, provider="zoom")
    Connection.objects.filter(pk=connection.pk).update(expires_at=None)

    token = access_token_for(Connection.objects.get(pk=connection.pk))

    assert token != connection.access_token
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


def test_credentials_zoom_refuses_are_not_saved(sandbox, owner_client, clinic):
    _save(owner_client)  # Zoom now knows this app and its secret

    response = _save(owner_client, client_secret="a-wrong-secret", account_id="otherAcct")

    assert response.status_code == 400
    assert "Zoom refused the request" in response.content.decode()
    assert clinic_connection(clinic, provider="zoom").account_id == "uhuruAcct42"


def test_refused_credentials_later_mark_the_clinic_connection_for_reconnect(sandbox, owner_client, clinic):
    _save(owner_client)
    connection = clinic_connection(clinic, provider="zoom")
    Connection.objects.filter(pk=connection.pk).update(expires_at=None)
    faults.inject("zoom", "token", "401")

    with pytest.raises(ReconnectRequired):
        access_token_for(Connection.objects.get(pk=connection.pk))

    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.NEEDS_RECONNECT
    dashboard = owner_client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "Zoom refused the clinic's credentials" in dashboard


def test_an_owner_removes_the_clinics_zoom_account(sandbox, owner_client, clinic):
    _save(owner_client)

    owner_client.post(
        reverse("integrations:clinic_account", args=["zoom"]), {"clinic": "uhuru", "action": "disconnect"}
    )

    assert clinic_connection(clinic, provider="zoom") is None
    stored = Connection.objects.get()
    assert stored.status == ConnectionStatus.REVOKED and stored.client_secret == "" and stored.access_token == ""
