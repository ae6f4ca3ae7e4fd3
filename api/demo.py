"""Demo data of the API: a published read-write key, and a webhook endpoint at the sandbox's receiver.

Called by `manage.py seed_demo` (which refuses outside DEBUG or the sandbox); idempotent.
"""

from typing import Any

from django.apps import apps
from django.conf import settings

from .keys import hash_key
from .models import ApiKey, KeyScope, WebhookEndpoint, WebhookEvent

# Published like the demo password: anyone can use it against a demo installation, and nothing else.
DEMO_KEY_PREFIX = "demo00000000"
DEMO_API_KEY = f"cpk_{DEMO_KEY_PREFIX}_clinicpro-demo-api-key"
DEMO_INBOX = "demo"


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    ApiKey.objects.update_or_create(
        prefix=DEMO_KEY_PREFIX,
        defaults={
            "clinic": clinic,
            "name": "Demo key (published)",
            "hashed_key": hash_key(DEMO_API_KEY),
            "scope": KeyScope.WRITE,
            "revoked_at": None,
        },
    )
    if apps.is_installed("sandbox"):
        _receiver_endpoint(clinic)
    lines = context["lines"]
    lines.append(f"API docs          {settings.SITE_URL}/api/v1/docs (key: {DEMO_API_KEY})")
    lines.append(f"API keys          {settings.SITE_URL}/c/{clinic.slug}/api-keys/ (owner)")
    lines.append(f"Webhooks          {settings.SITE_URL}/c/{clinic.slug}/webhooks/ (owner)")
    lines.append(f"Webhook receiver  {settings.SITE_URL}/sandbox/webhooks/")
    return context


def _receiver_endpoint(clinic: Any) -> None:
    """The demo clinic's endpoint is the sandbox receiver, which verifies with the same secret."""
    from sandbox.models import WebhookInbox

    url = f"{settings.SITE_URL}/sandbox/webhooks/{DEMO_INBOX}/"
    endpoint, _ = WebhookEndpoint.objects.get_or_create(
        clinic=clinic,
        url=url,
        defaults={"description": "Sandbox receiver", "events": list(WebhookEvent.values)},
    )
    WebhookInbox.objects.update_or_create(slug=DEMO_INBOX, defaults={"secret": endpoint.secret})
