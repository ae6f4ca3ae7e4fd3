"""Sending webhooks over real HTTP to the sandbox receiver on the live server."""

from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.tasks import deliver_due_webhooks
from api.tests.webhook_fixtures import endpoint_at_receiver
from api.webhooks import delivery
from sandbox.models import ReceivedWebhook


def test_a_booking_reaches_the_receiver_signed_and_is_recorded(
    live_server, clinic, api, service, practitioner, slot_start
):
    _endpoint, _inbox = endpoint_at_receiver(clinic, live_server.url)
    body = {
        "service_id": service.pk,
        "practitioner_id": practitioner.pk,
        "starts_at": slot_start.isoformat(),
        "patient": {"name": "Achieng", "email": "a@example.com", "phone": "0712345678"},
    }

    booking = api.post("/api/v1/bookings", body).json()

    received = {r.event_type: r for r in ReceivedWebhook.objects.all()}
    # An online service: its meeting is made right after the booking, and told too.
    assert set(received) == {"booking.created", "booking.confirmed", "meeting.ready"}
    assert all(r.verified for r in received.values())
    assert f'"id": {booking["id"]}' in received["booking.created"].body
    sent = WebhookDelivery.objects.get(event_type="booking.created")
    assert sent.status == DeliveryStatus.SUCCEEDED
    assert received["booking.created"].webhook_id == sent.message_id
    attempt = WebhookAttempt.objects.get(delivery=sent)
    assert attempt.status_code == 204 and attempt.latency_ms >= 0


def _pending_delivery(endpoint):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        clinic=endpoint.clinic,
        event_type="booking.created",
        body='{"type": "booking.created", "timestamp": "2026-01-01T00:00:00Z", "data": {}}',
        next_attempt_at=timezone.now(),
    )


def test_a_failure_schedules_a_retry_with_backoff_and_the_same_id(live_server, clinic, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS = [5, 300]
    settings.WEBHOOKS_JITTER_FRACTION = 0.1
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status, inbox.fail_remaining = 500, 1
    inbox.save()
    sent = _pending_delivery(endpoint)

    delay = delivery.deliver(sent.pk)
    sent.refresh_from_db()
    WebhookDelivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(sent.pk)

    assert 5 <= delay <= 5.5
    assert [r.answered_status for r in ReceivedWebhook.objects.order_by("id")] == [500, 204]
    assert {r.webhook_id for r in ReceivedWebhook.objects.all()} == {sent.message_id}
    assert list(WebhookAttempt.objects.order_by("id").values_list("status_code", flat=True)) == [500, 204]
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.SUCCEEDED


def test_retry_after_is_honoured_when_longer_than_the_schedule(live_server, clinic, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS = [5]
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status, inbox.fail_remaining, inbox.retry_after = 429, 1, 120
    inbox.save()

    assert delivery.deliver(_pending_delivery(endpoint).pk) == 120


def test_410_disables_the_endpoint_and_owners_see_a_banner(live_server, clinic, owner, client):
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status = 410
    inbox.save()
    sent = _pending_delivery(endpoint)

    delivery.deliver(sent.pk)
    client.force_login(owner)
    dashboard = client.get(f"/c/{clinic.slug}/").content.decode()

    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.FAILED
    assert f"Webhooks to {endpoint.url} are switched off" in dashboard


def test_a_3xx_is_not_success(live_server, clinic, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS = [5]
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status, inbox.fail_remaining = 302, 1
    inbox.save()
    sent = _pending_delivery(endpoint)

    delivery.deliver(sent.pk)

    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.PENDING


def test_the_last_failure_gives_up_and_disables_the_endpoint(live_server, clinic, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS = [1]
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status = 503
    inbox.save()
    sent = _pending_delivery(endpoint)

    delivery.deliver(sent.pk)
    WebhookDelivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(sent.pk)

    endpoint.refresh_from_db()
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.FAILED
    assert not endpoint.is_active and "All 2 attempts" in endpoint.disabled_reason


def test_the_default_schedule_spans_about_three_days():
    from django.conf import settings

    total = sum(settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS)

    assert timedelta(days=3) <= timedelta(seconds=total) <= timedelta(days=3, hours=12)
    assert settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS[0] == 5


@pytest.mark.django_db(transaction=True)
def test_the_beat_pass_skips_deliveries_another_worker_holds(clinic):
    endpoint = WebhookEndpoint.objects.create(clinic=clinic, url="http://127.0.0.1:9/", events=["booking.created"])
    held, free = _pending_delivery(endpoint), _pending_delivery(endpoint)
    db = connection.settings_dict
    other_worker = psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]
    )
    try:
        with other_worker.transaction():
            other_worker.execute("SELECT id FROM api_webhookdelivery WHERE id = %s FOR UPDATE", [held.pk])
            claimed = delivery.due_delivery_ids()
    finally:
        other_worker.close()

    assert claimed == [free.pk]
    assert WebhookDelivery.objects.get(pk=held.pk).status == DeliveryStatus.PENDING
    assert WebhookDelivery.objects.get(pk=free.pk).status == DeliveryStatus.SENDING


def test_the_beat_pass_sends_what_is_due_and_releases_stale_claims(live_server, clinic):
    endpoint, _inbox = endpoint_at_receiver(clinic, live_server.url)
    due = _pending_delivery(endpoint)
    stale = _pending_delivery(endpoint)
    later = _pending_delivery(endpoint)
    WebhookDelivery.objects.filter(pk=stale.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    sent = deliver_due_webhooks()

    assert sent == 2
    assert set(ReceivedWebhook.objects.values_list("webhook_id", flat=True)) == {due.message_id, stale.message_id}
    assert WebhookDelivery.objects.get(pk=later.pk).status == DeliveryStatus.PENDING
