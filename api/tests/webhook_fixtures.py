"""A clinic endpoint pointing at the sandbox receiver on the live server, sharing its secret."""

from api.models import WebhookEndpoint, WebhookEvent
from sandbox.models import WebhookInbox


def endpoint_at_receiver(
    clinic, base_url: str, slug: str = "tests", events=None
) -> tuple[WebhookEndpoint, WebhookInbox]:
    endpoint = WebhookEndpoint.objects.create(
        clinic=clinic, url=f"{base_url}/sandbox/webhooks/{slug}/", events=events or list(WebhookEvent.values)
    )
    inbox = WebhookInbox.objects.create(slug=slug, secret=endpoint.secret)
    return endpoint, inbox
