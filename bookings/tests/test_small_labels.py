"""Labels that say what is true before anyone makes a mistake."""

from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.django_db


def test_the_jitsi_secret_rule_is_shown_before_any_error(client, owner, clinic):
    client.force_login(owner)
    page = client.get(f"/c/{clinic.slug}/settings/meetings/").content.decode()
    assert "At least 32 characters" in page


def test_the_sandbox_shows_google_event_times_in_utc_as_labelled(client, settings):
    from sandbox.models import Account, GoogleEvent

    account = Account.objects.create(service="google", email="dr@example.com", uid="g-1")
    GoogleEvent.objects.create(
        account=account,
        event_id="evt1",
        starts_at=datetime(2026, 3, 5, 7, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 5, 7, 30, tzinfo=UTC),
    )
    page = client.get("/sandbox/").content.decode()
    assert "Starts (UTC)" in page
    assert "2026-03-05 07:00" in page and "2026-03-05 10:00" not in page
