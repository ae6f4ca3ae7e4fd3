"""The sandbox receiver verifies what it gets; the demo wires the demo clinic's webhooks to it."""

from datetime import UTC, datetime

from django.core.management import call_command
from django.test import Client

from api.conftest import ApiClient
from api.demo import DEMO_API_KEY, DEMO_INBOX
from api.models import WebhookEndpoint
from api.webhooks.signing import signed_headers
from sandbox.models import ReceivedWebhook, WebhookInbox

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def post_signed(client: Client, body: str, secret: str = SECRET, **overrides: str):
    headers = signed_headers(secrets=[secret], message_id="msg_1", sent_at=datetime.now(UTC), body=body)
    headers.update(overrides)
    meta = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "content-type"
    }
    return client.post("/sandbox/webhooks/inbox/", body, content_type="application/json", **meta)


def test_the_receiver_accepts_a_good_signature_and_refuses_others(db):
    WebhookInbox.objects.create(slug="inbox", secret=SECRET)
    client = Client()
    body = '{"type": "booking.created", "data": {}}'

    good = post_signed(client, body)
    forged = post_signed(client, body, secret="whsec_" + "A" * 43 + "=")
    stale = post_signed(client, body, **{"webhook-timestamp": "1614265330"})
    page = client.get("/sandbox/webhooks/").content.decode()

    assert (good.status_code, forged.status_code, stale.status_code) == (204, 400, 400)
    verdicts = list(ReceivedWebhook.objects.order_by("id").values_list("verified", "verification_error"))
    assert verdicts[0] == (True, "")
    assert verdicts[1] == (False, "No matching signature found")
    assert verdicts[2][0] is False and "too old" in verdicts[2][1]
    assert "booking.created" in page and "verified" in page and "rejected" in page


def test_the_demo_key_works_and_the_demo_endpoint_verifies_with_the_receivers_secret(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url.endswith(f"/sandbox/webhooks/{DEMO_INBOX}/")
    assert WebhookInbox.objects.get(slug=DEMO_INBOX).secret == endpoint.secret
    assert ApiClient(DEMO_API_KEY).get("/api/v1/services").status_code == 200
