"""Owners register endpoints, read each attempt's status code and latency, replay and re-enable."""

from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from api.tests.webhook_fixtures import endpoint_at_receiver
from api.webhooks import delivery
from sandbox.models import ReceivedWebhook


def test_an_owner_registers_an_endpoint_and_sees_its_secret(client, owner, clinic, live_server):
    client.force_login(owner)

    response = client.post(
        f"/c/{clinic.slug}/webhooks/",
        {"url": f"{live_server.url}/hook", "events": ["booking.created", "payment.failed"]},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["booking.created", "payment.failed"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()


def test_another_clinics_endpoint_and_delivery_are_404(client, owner, clinic, other_clinic):
    theirs = WebhookEndpoint.objects.create(clinic=other_clinic, url="http://127.0.0.1:9/", events=[])
    their_delivery = WebhookDelivery.objects.create(
        endpoint=theirs, clinic=other_clinic, event_type="booking.created", body="{}"
    )
    client.force_login(owner)

    assert client.get(f"/c/{clinic.slug}/webhooks/{theirs.pk}/").status_code == 404
    assert client.post(f"/c/{clinic.slug}/webhooks/{theirs.pk}/disable/").status_code == 404
    assert client.post(f"/c/{clinic.slug}/webhooks/deliveries/{their_delivery.pk}/replay/").status_code == 404


def test_replay_after_re_enabling_sends_the_same_message_again(client, owner, clinic, live_server):
    endpoint, inbox = endpoint_at_receiver(clinic, live_server.url)
    inbox.fail_status = 410
    inbox.save()
    sent = WebhookDelivery.objects.create(
        endpoint=endpoint, clinic=clinic, event_type="booking.created", body="{}", next_attempt_at=timezone.now()
    )
    delivery.deliver(sent.pk)
    inbox.fail_status = None
    inbox.save()
    client.force_login(owner)

    refused = client.post(f"/c/{clinic.slug}/webhooks/deliveries/{sent.pk}/replay/", follow=True)
    client.post(f"/c/{clinic.slug}/webhooks/{endpoint.pk}/enable/")
    client.post(f"/c/{clinic.slug}/webhooks/deliveries/{sent.pk}/replay/")
    page = client.get(f"/c/{clinic.slug}/webhooks/{endpoint.pk}/").content.decode()

    assert "Enable the endpoint first" in refused.content.decode()
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.SUCCEEDED
    assert list(ReceivedWebhook.objects.order_by("id").values_list("webhook_id", "answered_status")) == [
        (sent.message_id, 410),
        (sent.message_id, 204),
    ]
    assert "HTTP 410" in page and "HTTP 204" in page and " ms" in page


def test_admin_shows_an_endpoint_without_its_secret(admin_client, clinic):
    endpoint = WebhookEndpoint.objects.create(clinic=clinic, url="https://example.com/hooks", events=[])

    page = admin_client.get(f"/admin/api/webhookendpoint/{endpoint.pk}/change/").content.decode()

    assert page.count(endpoint.secret) == 0
    assert endpoint.secret[-4:] in page
