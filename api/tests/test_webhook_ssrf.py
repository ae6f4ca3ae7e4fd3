"""No webhook may reach the clinic's own network: refused at registration and again at send time."""

import pytest
from django.utils import timezone

from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.tests.webhook_fixtures import endpoint_at_receiver
from api.webhooks import delivery
from api.webhooks.services import endpoint_register
from api.webhooks.ssrf import UnsafeEndpoint, pinned_target
from sandbox.models import ReceivedWebhook

INTERNAL = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.0.0.7/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "ftp://203.0.113.5/hook",
    "http://user:pass@93.184.216.34/hook",
]


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    return settings


@pytest.mark.parametrize("url", INTERNAL)
def test_registration_refuses_internal_addresses(production, clinic, url):
    with pytest.raises(UnsafeEndpoint):
        endpoint_register(clinic=clinic, url=url, events=["booking.created"])

    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_pinned_with_its_host_header(production):
    target = pinned_target("https://93.184.216.34:8443/hooks?x=1")

    assert target.url == "https://93.184.216.34:8443/hooks?x=1"
    assert target.host_header == "93.184.216.34:8443"


def test_loopback_is_allowed_only_by_setting(settings, clinic):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True

    endpoint = endpoint_register(clinic=clinic, url="http://127.0.0.1:8000/hook", events=["booking.created"])

    assert endpoint.pk is not None
    with pytest.raises(UnsafeEndpoint):
        endpoint_register(clinic=clinic, url="http://10.1.2.3/hook", events=["booking.created"])


def test_the_send_checks_again_and_calls_nothing_when_refused(live_server, clinic, settings):
    endpoint, _inbox = endpoint_at_receiver(clinic, live_server.url)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    sent = WebhookDelivery.objects.create(
        endpoint=endpoint, clinic=clinic, event_type="booking.created", body="{}", next_attempt_at=timezone.now()
    )

    delivery.deliver(sent.pk)

    assert not ReceivedWebhook.objects.exists()
    attempt = WebhookAttempt.objects.get(delivery=sent)
    assert attempt.status_code is None and attempt.error.startswith("Refused")
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.PENDING


def test_the_dashboard_form_says_why_an_address_is_refused(production, client, owner, clinic):
    client.force_login(owner)

    page = client.post(f"/c/{clinic.slug}/webhooks/", {"url": "http://169.254.169.254/", "events": ["booking.created"]})

    assert page.status_code == 200
    assert "internal address" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()
