"""In a real browser on a phone-sized screen: a patient books, the practitioner approves."""

import re

import pytest
from playwright.sync_api import expect

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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    clinic = ClinicFactory(name="ClinicPro Demo Clinic", slug="demo", address="Ngong Road 12, Nairobi")
    user = UserFactory(username="dr-achieng", email="achieng@demo.example")
    practitioner = PractitionerFactory(
        membership=MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=user),
        display_name="Dr. Achieng Odhiambo",
    )
    ServiceFactory(
        clinic=clinic,
        name="Online therapy session",
        price=2500,
        duration_minutes=45,
        is_online=True,
        confirmation_policy=ConfirmationPolicy.MANUAL,
        practitioners=[practitioner],
    )
    ServiceFactory(clinic=clinic, name="In-person check-up", is_online=False, practitioners=[practitioner])
    return clinic


def book_online_session(page):
    page.goto("/book/demo/")
    expect(page.get_by_role("heading", name="ClinicPro Demo Clinic")).to_be_visible()
    page.get_by_role("link", name=re.compile("Online therapy session")).click()
    expect(page.get_by_text(re.compile(r"Times in East Africa Time \(Africa/Nairobi\)"))).to_be_visible()
    page.locator("a.slot").first.click()
    page.get_by_label("Full name").fill("Amina Wanjiku")
    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_label("Mobile number").fill("0712 345 678")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/b/[A-Za-z0-9_-]+/$"))


def test_a_patient_books_an_online_service_and_sees_it_awaiting_approval(page, demo):
    book_online_session(page)

    expect(page.locator(".status-line")).to_have_text("Awaiting approval")
    expect(page.get_by_text("Your meeting link will appear here once the booking is confirmed")).to_be_visible()
    expect(page.get_by_text("KES 2,500")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.PENDING and booking.patient.phone == "+254712345678"
    # Nothing overflows sideways on a 390px-wide phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_practitioner_approves_it_on_the_dashboard_and_the_patient_sees_it_confirmed(
    page, browser, live_server, demo
):
    book_online_session(page)
    manage_url = page.url

    practitioner = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    dashboard = practitioner.new_page()
    dashboard.set_default_timeout(15_000)
    dashboard.goto("/accounts/login/?next=/c/demo/")
    dashboard.locator("[name=login]").fill("achieng@demo.example")
    dashboard.locator("[name=password]").fill(PASSWORD)
    dashboard.locator("form", has=dashboard.locator("[name=login]")).locator("[type=submit]").first.click()
    expect(dashboard).to_have_url(re.compile(r"/c/demo/$"))
    pending = dashboard.locator(
        "section", has=dashboard.get_by_role("heading", name=re.compile("Waiting for approval"))
    )
    expect(pending.get_by_text("Amina Wanjiku")).to_be_visible()
    pending.get_by_role("button", name="Approve").click()
    expect(dashboard.get_by_text("Booking approved.")).to_be_visible()
    practitioner.close()

    page.goto(manage_url)
    expect(page.locator(".status-line")).to_have_text("Confirmed")
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
