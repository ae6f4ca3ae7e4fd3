"""The token API: refresh before expiry, once under concurrency, rotation, reconnect and transient failures."""

import threading
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from integrations.errors import ReconnectRequired, TokenRefreshFailed
from integrations.models import Connection, ConnectionStatus
from integrations.tokens import access_token_for, force_refresh
from sandbox import faults
from sandbox.models import Token

pytestmark = pytest.mark.django_db(transaction=True)


def _expire(connection: Connection, *, in_seconds: float = -1) -> Connection:
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() + timedelta(seconds=in_seconds))
    return Connection.objects.get(pk=connection.pk)


def _access_tokens_issued(service: str) -> int:
    return Token.objects.filter(grant__service=service, kind=Token.Kind.ACCESS).count()


def test_a_token_far_from_expiry_is_used_as_it_is(connected):
    connection = connected("google")
    issued = _access_tokens_issued("google")

    assert access_token_for(connection) == connection.access_token
    assert _access_tokens_issued("google") == issued


def test_a_token_about_to_expire_is_refreshed_before_use(connected):
    connection = _expire(connected("google"), in_seconds=30)
    old_token = connection.access_token

    token = access_token_for(connection)

    assert token != old_token
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.access_token == token
    assert (stored.expires_at - timezone.now()).total_seconds() > 3000
    assert stored.last_refreshed_at is not None
    assert _access_tokens_issued("google") == 2


def _refresh_from_six_tasks_at_once(connection: Connection) -> tuple[list[str], list[Exception]]:
    """Six threads, each with its own database connection, ask for a token at the same moment."""
    tokens: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(6)

    def task() -> None:
        try:
            own_copy = Connection.objects.get(pk=connection.pk)
            start.wait()
            tokens.append(access_token_for(own_copy))
        except Exception as exc:  # reported by the caller's assertions
            errors.append(exc)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=task) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tokens, errors


@pytest.mark.parametrize("provider", ["google", "zoom", "microsoft"])
def test_concurrent_tasks_refresh_an_expired_token_once(provider, connected):
    connection = _expire(connected(provider))
    faults.expire_access_tokens(provider)

    tokens, errors = _refresh_from_six_tasks_at_once(connection)

    assert errors == []
    assert len(set(tokens)) == 1
    assert _access_tokens_issued(provider) == 2  # the one from connecting, and one refresh
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == ConnectionStatus.ACTIVE and stored.access_token == tokens[0]


def test_without_redis_the_row_lock_alone_keeps_the_refresh_single(connected, settings):
    settings.REDIS_URL = ""
    connection = _expire(connected("zoom"))

    tokens, errors = _refresh_from_six_tasks_at_once(connection)

    assert errors == [] and len(set(tokens)) == 1
    assert _access_tokens_issued("zoom") == 2


@pytest.mark.parametrize("provider", ["zoom", "microsoft"])
def test_a_rotated_refresh_token_is_saved_and_keeps_working(provider, connected):
    connection = _expire(connected(provider))
    first_refresh_token = connection.refresh_token

    access_token_for(connection)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.refresh_token and stored.refresh_token != first_refresh_token

    # The provider killed the first refresh token; the saved one refreshes again.
    second = access_token_for(_expire(stored))
    assert second == Connection.objects.get(pk=connection.pk).access_token
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


def test_google_keeps_the_refresh_token_it_does_not_resend(connected):
    connection = _expire(connected("google"))
    refresh_token = connection.refresh_token

    access_token_for(connection)

    assert Connection.objects.get(pk=connection.pk).refresh_token == refresh_token


def test_invalid_grant_marks_the_connection_for_reconnect_and_tells_the_practitioner(
    connected, practitioner_client, owner, client
):
    connection = _expire(connected("google"))
    faults.inject("google", "token", "invalid_grant")

    with pytest.raises(ReconnectRequired) as raised:
        access_token_for(connection)

    assert raised.value.connection_id == connection.pk
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == ConnectionStatus.NEEDS_RECONNECT
    assert "invalid_grant" in stored.last_error
    dashboard = practitioner_client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "Your Google connection needs to be reconnected: new bookings use the backup room until then." in dashboard
    page = practitioner_client.get(reverse("integrations:page")).content.decode()
    assert "Needs reconnect" in page and "Reconnect" in page
    client.force_login(owner)
    owners_dashboard = client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "Dr. Wanjiru Kamau's Google connection needs to be reconnected" in owners_dashboard


def test_a_connection_waiting_for_reconnect_is_not_used(connected):
    connection = _expire(connected("zoom"))
    faults.inject("zoom", "token", "invalid_grant")
    with pytest.raises(ReconnectRequired):
        access_token_for(connection)
    calls = _access_tokens_issued("zoom")

    with pytest.raises(ReconnectRequired):
        access_token_for(Connection.objects.get(pk=connection.pk))
    assert _access_tokens_issued("zoom") == calls


def test_a_grant_revoked_at_the_provider_needs_a_reconnect(connected):
    connection = connected("microsoft")
    faults.revoke_grants("microsoft")

    with pytest.raises(ReconnectRequired):
        force_refresh(connection)

    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.NEEDS_RECONNECT


def test_reconnecting_clears_needs_reconnect(connected, practitioner_client):
    connection = _expire(connected("google"))
    faults.inject("google", "token", "invalid_grant")
    with pytest.raises(ReconnectRequired):
        access_token_for(connection)

    connected("google")

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == ConnectionStatus.ACTIVE and stored.last_error == ""
    dashboard = practitioner_client.get(reverse("clinic_dashboard", args=["uhuru"])).content.decode()
    assert "needs to be reconnected" not in dashboard


def test_a_token_endpoint_500_is_transient(connected):
    connection = _expire(connected("zoom"))
    faults.inject("zoom", "token", "500")

    with pytest.raises(TokenRefreshFailed):
        access_token_for(connection)

    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE
    assert access_token_for(Connection.objects.get(pk=connection.pk))  # the next attempt succeeds


def test_a_token_endpoint_timeout_is_transient(connected, settings):
    connection = _expire(connected("microsoft"))
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    faults.inject("microsoft", "token", "timeout", delay_seconds=1.5)

    with pytest.raises(TokenRefreshFailed):
        access_token_for(connection)

    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


def test_a_rate_limited_refresh_carries_retry_after(connected):
    connection = _expire(connected("google"))
    faults.inject("google", "token", "429", retry_after=7)

    with pytest.raises(TokenRefreshFailed) as raised:
        access_token_for(connection)

    assert raised.value.retry_after == pytest.approx(7, abs=1)


def test_force_refresh_replaces_a_token_the_provider_rejected(connected):
    connection = connected("zoom")
    rejected = connection.access_token

    token = force_refresh(connection)

    assert token != rejected
    assert connection.access_token == token == Connection.objects.get(pk=connection.pk).access_token


def test_force_refresh_reuses_a_token_another_task_just_got(connected):
    connection = connected("zoom")
    stale_copy = Connection.objects.get(pk=connection.pk)
    fresh = force_refresh(connection)
    calls = _access_tokens_issued("zoom")

    assert force_refresh(stale_copy) == fresh
    assert _access_tokens_issued("zoom") == calls
