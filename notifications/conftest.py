"""Fixtures of the notifications tests: a clinic whose texts go through the emulators."""

import pytest

from notifications.models import ClinicMessaging
from sandbox.models import Service, TextAccount

AT_USERNAME, AT_KEY = "uhuru-health", "atsk_" + "a" * 60
TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "twilio-auth-token-" + "t" * 14
TEMPLATES = {
    "confirmed": "HX" + "c" * 32,
    "reminder": "HX" + "r" * 32,
}


@pytest.fixture
def messaging(clinic, settings, request):
    """Africa's Talking for SMS, Twilio for WhatsApp; both accounts exist in the emulators.

    Without the `gateways` fixture the emulators are not served: texts then meet a closed port
    (a transient failure, retried later) and never a server someone else runs on the default one.
    """
    if "gateways" not in request.fixturenames:
        settings.SANDBOX_BASE_URL = "http://127.0.0.1:9/sandbox"
    TextAccount.objects.create(service=Service.AFRICASTALKING, username=AT_USERNAME, secret=AT_KEY, senders=["UHURU"])
    TextAccount.objects.create(
        service=Service.TWILIO,
        username=TWILIO_SID,
        secret=TWILIO_TOKEN,
        senders=["+15005550006"],
        templates={
            TEMPLATES["confirmed"]: "Hello {{1}}, your {{2}} is confirmed for {{3}}. Join: {{4}}",
            TEMPLATES["reminder"]: "Hello {{1}}, a reminder: {{2}} at {{3}}. {{4}}",
        },
    )
    return ClinicMessaging.objects.create(
        clinic=clinic,
        sms_sender="africastalking",
        africastalking_username=AT_USERNAME,
        africastalking_api_key=AT_KEY,
        africastalking_sender_id="UHURU",
        whatsapp_enabled=True,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number="+15005550006",
        twilio_whatsapp_from="+15005550006",
        twilio_whatsapp_templates=TEMPLATES,
    )


@pytest.fixture
def gateways(live_server, transactional_db, settings, monkeypatch):
    """The emulators on a live server, reached over real HTTP; our report URLs on the same server."""
    from sandbox import faults

    for name, value in {
        "SITE_URL": live_server.url,
        "SANDBOX_BASE_URL": f"{live_server.url}/sandbox",
        "NOTIFICATIONS_USE_SANDBOX": "1",
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
        "NOTIFICATIONS_RETRY_CAP_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.SITE_URL = live_server.url
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    settings.NOTIFICATIONS_USE_SANDBOX = True
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 1
    yield live_server.url
    faults.clear()


@pytest.fixture
def reporting(messaging, gateways):
    """Africa's Talking's dashboard points its delivery reports at this clinic's secret URL."""
    from django.urls import reverse

    url = gateways + reverse("notifications_africastalking_report", args=[messaging.report_secret])
    TextAccount.objects.filter(service=Service.AFRICASTALKING).update(delivery_report_url=url)
    return messaging


def wait_for(check, timeout: float = 10.0, interval: float = 0.1):
    """Poll until `check()` is truthy (a worker or a gateway callback acts in another thread or process)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Still not true after {timeout}s: {check.__doc__ or check}")
        time.sleep(interval)
