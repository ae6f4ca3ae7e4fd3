"""In a real browser: a practitioner connects Google through the sandbox, and an approved booking gets a Meet link."""

import re

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Booking, BookingStatus, ConfirmationPolicy
from clinicpro.models import Role
from clinicpro.testing.factories import (
    PASSWORD,
    ClinicFactory,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)
from integrations.models import Connection
from meetings.models import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEET_URL = re.compile(r"^https://meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}$")


@pytest.fixture
def demo(live_server, settings):
    # Our OAuth redirect_uri and the provider endpoints both live on the live server.
    settings.SITE_URL = live_server.url
    settings.SANDBOX_BASE_URL = live_server.url + "/sandbox"
    settings.INTEGRATIONS_USE_SANDBOX = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    clinic = ClinicFactory(name="ClinicPro Demo Clinic", slug="demo")
    # Open the join links long before the start, so the test can follow one whatever slot it books.
    meeting_settings = settings_for(clinic)
    meeting_settings.join_opens_minutes_before = 60 * 24 * 14
    meeting_settings.save()
    user = UserFactory(username="dr-achieng", email="achieng@demo.example")
    practitioner = PractitionerFactory(
        membership=MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=user),
        display_name="Dr. Achieng Odhiambo",
    )
    ServiceFactory(
        clinic=clinic,
        name="Video consultation",
        duration_minutes=30,
        is_online=True,
        meeting_platform="google",
        confirmation_policy=ConfirmationPolicy.MANUAL,
        practitioners=[practitioner],
    )
    return practitioner


def sign_in(page: Page, email: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.locator("[name=login]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("form", has=page.locator("[name=login]")).locator("[type=submit]").first.click()


def connect_google(page: Page) -> None:
    sign_in(page, "achieng@demo.example", "/integrations/")
    card = page.locator("#integration-google")
    expect(card.locator(".badge")).to_have_text("Not connected")
    card.get_by_role("button", name="Connect Google Meet and Calendar").click()
    expect(page.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    page.get_by_label("Choose an account").fill("achieng.odhiambo@gmail.test")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_text("Google Meet and Calendar is connected as achieng.odhiambo@gmail.test")).to_be_visible()
    expect(page.locator("#integration-google .badge")).to_have_text("Connected")


def book_as_patient(page: Page) -> str:
    page.goto("/book/demo/")
    page.get_by_role("link", name=re.compile("Video consultation")).click()
    page.locator("a.slot").first.click()
    page.get_by_label("Full name").fill("Amina Wanjiku")
    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_label("Mobile number").fill("0712 345 678")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/b/[A-Za-z0-9_-]+/$"))
    return page.url


def approve(page: Page) -> None:
    page.goto("/c/demo/")
    pending = page.locator("section", has=page.get_by_role("heading", name=re.compile("Waiting for approval")))
    expect(pending.get_by_text("Amina Wanjiku")).to_be_visible()
    pending.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Booking approved.")).to_be_visible()


def test_a_booking_with_google_meet_gets_a_meet_link_on_both_sides(page, browser, live_server, demo):
    practitioner = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 900})
    dashboard = practitioner.new_page()
    dashboard.set_default_timeout(15_000)
    connect_google(dashboard)
    assert Connection.objects.get(membership=demo.membership).account_email == "achieng.odhiambo@gmail.test"

    manage_url = book_as_patient(page)
    approve(dashboard)

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED
    dashboard.goto(f"/c/demo/bookings/{booking.pk}/")
    panel = dashboard.locator("#meeting-panel")
    expect(panel.locator("dd").first).to_have_text("Google Meet")
    expect(panel.locator(".badge.active")).to_be_visible()
    expect(panel.locator("a[href*='/j/']")).to_be_visible()  # the host's ClinicPro link
    practitioner.close()

    page.goto(manage_url)
    join = page.locator("a[href*='/j/']").first
    expect(join).to_be_visible()
    join_href = join.get_attribute("href") or ""
    assert "meet.google.com" not in join_href  # patients get the ClinicPro link, which follows the meeting
    # Follow the link with the page's own cookies, stopping at the redirect: the browser must not leave this machine.
    redirect = page.request.get(join_href, max_redirects=0)
    assert redirect.status == 302
    assert MEET_URL.match(redirect.headers["location"]), redirect.headers["location"]
    assert booking.meetings.get(is_current=True).join_url == redirect.headers["location"]
