"""In a real browser: an owner gives a shared service the Google Meet one practitioner connected.

Dr. Wanjiru Kamau connects Google through the sandbox; Dr. Otieno Were has not. The editor shows
where each one's bookings will go, warns before saving, and saves once the owner confirms.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Service
from clinicpro.testing.factories import PASSWORD

from .connected_providers import connect_account, use_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared(settings, live_server, practitioner, shared_service):
    use_sandbox(settings, live_server)
    connect_account(practitioner, "google", "wanjiru.kamau@gmail.test")
    return shared_service


def sign_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/c/"))


def test_an_owner_sees_each_practitioners_platform_and_confirms_the_fallback(page, owner, shared):
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, owner)
    page.goto(f"/c/uhuru/services/{shared.pk}/")
    outcomes = page.locator(".platform-outcomes li")
    expect(outcomes).to_have_text(
        ["Dr. Otieno Were: ClinicPro room (Jitsi)", "Dr. Wanjiru Kamau: ClinicPro room (Jitsi)"]
    )

    page.get_by_label("Meeting platform").select_option("google")

    # Before saving, the page says where each one's bookings will go, and what that forces.
    expect(outcomes).to_have_text(
        ["Dr. Otieno Were: ClinicPro room (Jitsi) – no Google connection", "Dr. Wanjiru Kamau: Google Meet"]
    )
    warning = page.locator("#fallback-warning")
    expect(warning).to_contain_text(
        "Bookings with Dr. Otieno Were will use the backup instead: ClinicPro room (Jitsi)."
    )

    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_text("To save, tick “Use Google Meet anyway”, or choose another platform.")).to_be_visible()
    assert Service.objects.get(pk=shared.pk).meeting_platform == "selfhosted"

    page.get_by_label("Use Google Meet anyway").check()
    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_text("Saved “Shared consultation”.")).to_be_visible()
    assert Service.objects.get(pk=shared.pk).meeting_platform == "google"
    assert refused == []  # the live part is htmx attributes, no inline script
