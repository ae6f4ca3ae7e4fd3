"""Retries and disabling through a real Celery worker on Redis, against the receiver on the live server."""

import time

import pytest

from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from api.tests.webhook_fixtures import endpoint_at_receiver
from bookings import services
from sandbox.models import ReceivedWebhook

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 30


@pytest.fixture
def one_second_retries(monkeypatch, settings):
    """Two retries a second apart, in this process and in the worker it starts (which reads the environment)."""
    monkeypatch.setenv("WEBHOOKS_RETRY_SCHEDULE_SECONDS", "1,1")
    monkeypatch.setenv("WEBHOOKS_JITTER_FRACTION", "0")
    settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS = [1, 1]


def wait_until(check) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("The worker did not finish in time.")
        time.sleep(0.2)


def book(service, practitioner, starts_at):
    return services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        patient_name="Achieng",
        patient_email="a@example.com",
        patient_phone="0712345678",
        enforce_availability=False,
    )


def _created():
    return WebhookDelivery.objects.get(event_type="booking.created")


def test_the_worker_retries_until_the_receiver_answers(
    one_second_retries, live_server, celery_worker, clinic, service, practitioner, slot_start
):
    _endpoint, inbox = endpoint_at_receiver(clinic, live_server.url, events=["booking.created"])
    inbox.fail_status, inbox.fail_remaining = 500, 2
    inbox.save()

    book(service, practitioner, slot_start)
    wait_until(lambda: _created().status == DeliveryStatus.SUCCEEDED)

    sent = _created()
    assert [r.answered_status for r in ReceivedWebhook.objects.order_by("id")] == [500, 500, 204]
    assert {r.webhook_id for r in ReceivedWebhook.objects.all()} == {sent.message_id}
    assert all(r.verified for r in ReceivedWebhook.objects.all())
    assert WebhookAttempt.objects.filter(delivery=sent).count() == 3


def test_the_worker_gives_up_and_disables_an_endpoint_that_keeps_failing(
    one_second_retries, live_server, celery_worker, clinic, service, practitioner, slot_start
):
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url, events=["booking.created"])
    inbox.fail_status = 500
    inbox.save()

    book(service, practitioner, slot_start)
    wait_until(lambda: _created().status == DeliveryStatus.FAILED)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert ReceivedWebhook.objects.count() == 3
