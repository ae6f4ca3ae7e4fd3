"""Connecting an account: the authorization code flow with PKCE, end to end against the emulators."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus
from integrations.oauth import SESSION_KEY, pkce_challenge
from sandbox.models import AuthorizationCode, Grant

from .conftest import EMAILS, answer_consent, connect, start_connect

pytestmark = pytest.mark.django_db(transaction=True)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("provider", ["google", "zoom", "microsoft"])
def test_a_practitioner_connects_each_provider_end_to_end(provider, sandbox, practitioner, practitioner_client):
    response = connect(practitioner_client, provider, "uhuru")

    assert response.status_code == 302
    connection = Connection.objects.get(membership=practitioner.membership, provider=provider)
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.account_email == EMAILS[provider]
    assert connection.access_token and connection.refresh_token
    assert 3000 < (connection.expires_at - timezone.now()).total_seconds() <= 3600
    assert connection.clinic == practitioner.clinic
    page = practitioner_client.get(response["Location"])
    card = page.content.decode()
    assert "Connected" in card and EMAILS[provider] in card


def test_google_is_asked_for_offline_access_calendar_scopes_and_pkce(sandbox, practitioner_client):
    authorize_url = start_connect(practitioner_client, "google", "uhuru")

    assert authorize_url.startswith(sandbox.url + "/sandbox/google/o/oauth2/v2/auth?")
    for expected in ("access_type=offline", "prompt=consent", "code_challenge_method=S256", "calendar.events"):
        assert expected in authorize_url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fintegrations%2Fcallback%2Fgoogle%2F" in authorize_url


def test_the_pkce_verifier_is_sent_with_the_code(sandbox, practitioner, practitioner_client):
    consent = answer_consent(start_connect(practitioner_client, "google", "uhuru"), email=EMAILS["google"])
    verifier = practitioner_client.session[SESSION_KEY]["google"]["verifier"]

    practitioner_client.get(consent.callback_path)

    code = AuthorizationCode.objects.get(service="google")
    assert code.code_challenge_method == "S256"
    assert code.code_challenge == pkce_challenge(verifier)
    assert code.redeemed_at is not None  # the emulator checks the verifier before redeeming
    assert Connection.objects.filter(membership=practitioner.membership, status="active").count() == 1


def test_a_code_redeemed_with_the_wrong_verifier_stores_nothing(sandbox, practitioner, practitioner_client):
    consent = answer_consent(start_connect(practitioner_client, "zoom", "uhuru"), email=EMAILS["zoom"])
    session = practitioner_client.session
    pending = session[SESSION_KEY]
    pending["zoom"]["verifier"] = "a-verifier-the-provider-never-saw-" + "x" * 30
    session[SESSION_KEY] = pending
    session.save()

    response = practitioner_client.get(consent.callback_path)

    assert not Connection.objects.exists()
    assert any("Zoom refused the request" in text for text in _messages(response))


def test_the_callback_refuses_a_state_that_does_not_match(sandbox, practitioner, practitioner_client):
    consent = answer_consent(start_connect(practitioner_client, "google", "uhuru"), email=EMAILS["google"])
    forged = consent.callback_path.replace(f"state={consent.params['state']}", "state=forged-by-someone-else")

    response = practitioner_client.get(forged)

    assert response.status_code == 302
    assert not Connection.objects.exists()
    assert not AuthorizationCode.objects.filter(redeemed_at__isnull=False).exists()
    assert any("did not match" in text for text in _messages(response))


def test_a_callback_nobody_started_is_refused(sandbox, practitioner_client):
    response = practitioner_client.get(reverse("integrations:callback", args=["google"]) + "?code=abc&state=xyz")

    assert not Connection.objects.exists()
    assert any("was not started here" in text for text in _messages(response))


def test_denying_consent_connects_nothing_and_says_so(sandbox, practitioner_client):
    consent = answer_consent(
        start_connect(practitioner_client, "microsoft", "uhuru"), email=EMAILS["microsoft"], decision="deny"
    )
    assert consent.params["error"] == "access_denied"

    response = practitioner_client.get(consent.callback_path)
    page = practitioner_client.get(response["Location"]).content.decode()

    assert not Connection.objects.exists()
    assert "Access was not granted at Microsoft, so nothing was connected." in page


def test_a_token_endpoint_error_during_the_exchange_stores_nothing(sandbox, practitioner_client):
    from sandbox.faults import inject

    consent = answer_consent(start_connect(practitioner_client, "google", "uhuru"), email=EMAILS["google"])
    inject("google", "token", "500")

    response = practitioner_client.get(consent.callback_path)

    assert not Connection.objects.exists()
    assert any("Google's token endpoint answered 500" in text for text in _messages(response))


def test_reconnecting_replaces_the_earlier_connection_and_revokes_its_grant(sandbox, practitioner, practitioner_client):
    connect(practitioner_client, "google", "uhuru")
    first = Connection.objects.get(membership=practitioner.membership)
    first_grant = Grant.objects.get(service="google")

    connect(practitioner_client, "google", "uhuru", email="wanjiru.work@gmail.test")

    connections = Connection.objects.filter(membership=practitioner.membership, provider="google")
    assert connections.count() == 1
    assert connections.get().pk == first.pk
    assert connections.get().account_email == "wanjiru.work@gmail.test"
    first_grant.refresh_from_db()
    assert first_grant.revoked_at is not None


def test_connect_sends_the_practitioner_back_to_next(sandbox, practitioner, practitioner_client):
    next_url = "/c/uhuru/services/new/"
    consent = answer_consent(
        start_connect(practitioner_client, "zoom", "uhuru", next_url=next_url), email=EMAILS["zoom"]
    )

    response = practitioner_client.get(consent.callback_path)

    assert response["Location"] == next_url


def test_next_never_leaves_the_site(sandbox, practitioner_client):
    consent = answer_consent(
        start_connect(practitioner_client, "zoom", "uhuru", next_url="https://evil.example/phish"), email=EMAILS["zoom"]
    )

    response = practitioner_client.get(consent.callback_path)

    assert response["Location"].startswith("/integrations/")


def test_disconnect_revokes_at_the_provider_and_deletes_the_tokens(sandbox, practitioner, practitioner_client):
    connect(practitioner_client, "google", "uhuru")

    response = practitioner_client.post(reverse("integrations:disconnect", args=["google"]), {"clinic": "uhuru"})

    assert response.status_code == 302
    connection = Connection.objects.get(membership=practitioner.membership)
    assert connection.status == ConnectionStatus.REVOKED
    assert connection.access_token == "" and connection.refresh_token == ""
    assert Grant.objects.get(service="google").revoked_at is not None
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "access was revoked at Google" in page
    assert "Not connected" in page


def test_zoom_disconnect_revokes_at_zoom(sandbox, practitioner, practitioner_client):
    connect(practitioner_client, "zoom", "uhuru")

    practitioner_client.post(reverse("integrations:disconnect", args=["zoom"]), {"clinic": "uhuru"})

    assert Grant.objects.get(service="zoom").revoked_at is not None
    assert Connection.objects.get(membership=practitioner.membership).status == ConnectionStatus.REVOKED


def test_microsoft_disconnect_deletes_the_tokens_without_a_revoke_call(sandbox, practitioner, practitioner_client):
    connect(practitioner_client, "microsoft", "uhuru")

    practitioner_client.post(reverse("integrations:disconnect", args=["microsoft"]), {"clinic": "uhuru"})

    connection = Connection.objects.get(membership=practitioner.membership)
    assert connection.status == ConnectionStatus.REVOKED and not connection.refresh_token


def test_connect_and_disconnect_only_answer_post(practitioner_client):
    assert practitioner_client.get(reverse("integrations:connect", args=["google"])).status_code == 405
    assert practitioner_client.get(reverse("integrations:disconnect", args=["google"])).status_code == 405
