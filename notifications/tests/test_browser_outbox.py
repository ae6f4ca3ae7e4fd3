"""In a real browser, in the seeded demo: a patient books, the owner approves, and the outbox shows what was sent."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clinicpro.demo import DEMO_PASSWORD, DOMAIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+254722000111"


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    settings.NOTIFICATIONS_USE_SANDBOX = True
    settings.EMAIL_BACKEND = "sandbox.mailbox.EmailBackend"
    call_command("seed_demo", stdout=io.StringIO())
    return live_server.url


def book_online_consultation(page) -> None:
    page.goto("/book/demo/")
    page.get_by_role("link", name=re.compile("Online consultation")).first.click()
    expect(page.locator("a.choice, #slot-picker").first).to_be_visible()
    if page.locator("#slot-picker").count() == 0:
        page.get_by_role("link", name=re.compile(r"Dr\. Wanjiru")).first.click()
    # A day after the first free one, so the join link opens a "not open yet" page rather than the room.
    page.locator("a.day:not(.full)").nth(1).click()
    page.locator("a.slot").first.click()
    page.get_by_label("Full name").fill("Zawadi Mwangi")
    page.get_by_label("Email").fill("zawadi@example.com")
    page.get_by_label("Mobile number").fill("0722 000 111")
    expect(page.get_by_label("SMS")).to_be_checked()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/b/[A-Za-z0-9_-]+/$"))


def approve_as_owner(browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    dashboard = context.new_page()
    dashboard.set_default_timeout(15_000)
    dashboard.goto("/accounts/login/?next=/c/demo/")
    dashboard.locator("[name=login]").fill(f"owner@{DOMAIN}")
    dashboard.locator("[name=password]").fill(DEMO_PASSWORD)
    dashboard.locator("form", has=dashboard.locator("[name=login]")).locator("[type=submit]").first.click()
    expect(dashboard).to_have_url(re.compile(r"/c/demo/$"))
    row = dashboard.locator("tr", has_text="Zawadi Mwangi")
    row.get_by_role("button", name="Approve").click()
    expect(dashboard.get_by_text("Booking approved.")).to_be_visible()
    context.close()


def test_the_confirmation_sms_and_email_with_a_working_join_link_show_in_the_outbox(page, browser, demo):
    book_online_consultation(page)
    approve_as_owner(browser, demo)

    page.goto("/sandbox/outbox/")
    confirmation = page.locator(f".bubble[data-to='{PHONE}']", has_text="confirmed").first
    expect(confirmation).to_be_visible()
    expect(page.locator(f".bubble[data-to='{PHONE}']", has_text="request received")).to_be_visible()
    join = confirmation.locator("a[href*='/j/']").first
    join_url = join.get_attribute("href")
    assert join_url and join_url.startswith(demo + "/j/")

    email = page.locator("details.email", has_text="Confirmed: Online consultation").first
    expect(email).to_be_visible()
    summary = email.locator("> summary")
    expect(summary).to_contain_text("zawadi@example.com")
    expect(summary).to_contain_text("invite.ics")
    email.get_by_text("Plain text").click()
    expect(email.locator("pre.email-text")).to_contain_text(join_url)
    frame = page.frame_locator("iframe.email-html").first
    expect(frame.get_by_role("link", name="Join the meeting")).to_have_attribute("href", join_url)

    page.goto(join_url)
    expect(page.get_by_text("Online consultation").first).to_be_visible()
    expect(page.get_by_text(re.compile("not open yet|being prepared|room", re.I)).first).to_be_visible()
