"""In a real browser: a patient books the demo's paid video session and pays on the virtual phone."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bookings.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "0712 345 678"  # no scripted answer: the prompt waits on the virtual phone


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.PAYMENTS_CALLBACK_BASE_URL = live_server.url
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    call_command("seed_demo", verbosity=0)


def book_and_send_the_prompt(page):
    page.goto("/book/demo/")
    page.get_by_role("link", name=re.compile("Video therapy session")).click()
    page.locator("a.slot").first.click()
    page.get_by_label("Full name").fill("Amina Wanjiku")
    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_label("Mobile number").fill(PHONE)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/b/[A-Za-z0-9_-]+/$"))
    manage_url = page.url
    expect(page.get_by_label("M-Pesa phone number")).to_have_value("0712345678")
    page.get_by_role("button", name="Send the M-Pesa prompt").click()
    expect(page).to_have_url(re.compile(r"/pay/\d+/$"))
    expect(page.get_by_text("Check your phone.")).to_be_visible()
    return manage_url


def open_the_phone(page):
    phone = page.context.new_page()
    phone.goto(f"/sandbox/daraja/phone/?number={PHONE.replace(' ', '')}")
    expect(phone.locator(".stk-prompt")).to_contain_text("Ksh1500")
    return phone


def the_practitioner_sees_the_link_on_the_dashboard(browser, live_server) -> None:
    booking = Booking.objects.get(patient__name="Amina Wanjiku")
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 900})
    dashboard = staff.new_page()
    dashboard.set_default_timeout(15_000)
    dashboard.goto(f"/accounts/login/?next=/c/demo/bookings/{booking.pk}/")
    dashboard.locator("[name=login]").fill(booking.practitioner.membership.user.email)
    dashboard.locator("[name=password]").fill("clinicpro-demo")
    dashboard.locator("form", has=dashboard.locator("[name=login]")).locator("[type=submit]").first.click()
    expect(dashboard.locator(".status-line, .badge").first).to_be_visible()
    panel = dashboard.locator("#meeting-panel")
    expect(panel.locator(".badge.active")).to_be_visible()
    expect(panel.locator("a[href*='/j/']")).to_be_visible()  # the host's link
    staff.close()


def test_paying_on_the_virtual_phone_confirms_the_booking_and_shows_the_link(page, browser, live_server, demo):
    manage_url = book_and_send_the_prompt(page)
    phone = open_the_phone(page)

    phone.get_by_label(re.compile("M-PESA PIN")).fill("1234")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("No payment prompt on")).to_be_visible()

    expect(page.locator(".attempt-status.paid")).to_contain_text("Paid.", timeout=20_000)
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    expect(page.locator(".join-url")).to_contain_text("/j/")
    page.goto(manage_url)
    expect(page.locator(".status-line")).to_have_text("Confirmed")
    expect(page.locator(".receipt-number")).to_have_text(re.compile(r"^[A-Z0-9]{10}$"))
    expect(page.locator(".meeting-box .join-url")).to_contain_text("/j/")
    the_practitioner_sees_the_link_on_the_dashboard(browser, live_server)


def test_cancelling_on_the_phone_shows_the_reason_and_a_retry(page, demo):
    book_and_send_the_prompt(page)
    phone = open_the_phone(page)

    phone.get_by_role("button", name="Cancel").click()

    expect(page.locator(".failure-reason")).to_have_text("The payment was cancelled on the phone.", timeout=20_000)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Check your phone.")).to_be_visible()
