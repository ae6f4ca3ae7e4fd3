"""Rotating an endpoint's signing secret: shown once, and for a grace period both secrets sign."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.models import WebhookDelivery, WebhookEndpoint
from api.tests.webhook_fixtures import endpoint_at_receiver
from api.webhooks import delivery
from api.webhooks.services import endpoint_secret_rotate, expired_secrets_forget
from sandbox.models import ReceivedWebhook


def rotate_page(client, endpoint):
    return client.post(f"/c/{endpoint.clinic.slug}/webhooks/{endpoint.pk}/rotate/", follow=True)


def stored_column(endpoint, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM api_webhookendpoint WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()[0]


def test_an_owner_rotates_the_secret_and_sees_the_new_one_once(client, owner, clinic):
    endpoint = WebhookEndpoint.objects.create(clinic=clinic, url="https://example.com/hooks", events=[])
    old_secret = endpoint.secret
    client.force_login(owner)

    shown = rotate_page(client, endpoint).content.decode()
    later = client.get(f"/c/{clinic.slug}/webhooks/{endpoint.pk}/").content.decode()

    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.previous_secret == old_secret
    assert endpoint.secret in shown and old_secret not in shown
    assert endpoint.secret not in later and endpoint.secret[-4:] in later
    assert 'id="secret-grace"' in later
    for column in ("secret", "previous_secret"):
        assert stored_column(endpoint, column).startswith("gAAAA")  # Fernet, never the secret itself
    assert old_secret not in stored_column(endpoint, "previous_secret")


def test_a_new_endpoints_secret_is_shown_once_too(client, owner, clinic, live_server):
    client.force_login(owner)

    registered = client.post(
        f"/c/{clinic.slug}/webhooks/", {"url": f"{live_server.url}/hook", "events": ["payment.failed"]}, follow=True
    )
    later = client.get(registered.redirect_chain[-1][0]).content.decode()

    secret = WebhookEndpoint.objects.get().secret
    assert secret in registered.content.decode()
    assert secret not in later


def test_another_clinic_cannot_rotate_an_endpoint(client, owner, clinic, other_clinic):
    theirs = WebhookEndpoint.objects.create(clinic=other_clinic, url="https://example.com/hooks", events=[])
    client.force_login(owner)

    response = client.post(f"/c/{clinic.slug}/webhooks/{theirs.pk}/rotate/")

    assert response.status_code == 404
    assert WebhookEndpoint.objects.get(pk=theirs.pk).secret == theirs.secret


def send_one(endpoint) -> ReceivedWebhook:
    sent = WebhookDelivery.objects.create(
        endpoint=endpoint,
        clinic=endpoint.clinic,
        event_type="payment.completed",
        body='{"type": "payment.completed"}',
        next_attempt_at=timezone.now(),
    )
    delivery.deliver(sent.pk)
    return ReceivedWebhook.objects.get(webhook_id=sent.message_id)


def verifies(secret: str, message: ReceivedWebhook) -> bool:
    try:
        Webhook(secret).verify(message.body, message.headers)
    except WebhookVerificationError:
        return False
    return True


def test_both_secrets_sign_during_the_grace_and_only_the_new_one_after(clinic, live_server, settings):
    settings.WEBHOOKS_SECRET_GRACE_HOURS = 24
    endpoint, _ = endpoint_at_receiver(clinic, live_server.url)  # the receiver still holds the old secret
    old_secret = endpoint.secret
    endpoint = endpoint_secret_rotate(endpoint=endpoint)

    during = send_one(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_rotated_at=timezone.now() - timedelta(hours=25))
    after = send_one(WebhookEndpoint.objects.get(pk=endpoint.pk))

    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verifies(endpoint.secret, during) and verifies(old_secret, during)
    assert during.verified  # a receiver not yet switched over keeps accepting
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verifies(endpoint.secret, after) and not verifies(old_secret, after)
    assert not after.verified


@pytest.mark.parametrize(("hours_ago", "kept"), [(23, True), (25, False)])
def test_a_previous_secret_is_erased_once_its_grace_has_ended(clinic, settings, hours_ago, kept):
    settings.WEBHOOKS_SECRET_GRACE_HOURS = 24
    endpoint = endpoint_secret_rotate(
        endpoint=WebhookEndpoint.objects.create(clinic=clinic, url="https://example.com/hooks", events=[])
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_rotated_at=timezone.now() - timedelta(hours=hours_ago))

    erased = expired_secrets_forget()

    assert erased == (0 if kept else 1)
    assert bool(WebhookEndpoint.objects.get(pk=endpoint.pk).previous_secret) is kept
