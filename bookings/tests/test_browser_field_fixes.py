"""In a real browser at phone size: declining with a reason, recovering from a taken slot, lapsed holds."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus, ConfirmationPolicy
from clinicpro.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/c/"))


def test_declining_asks_for_a_reason_and_the_patient_reads_it(page, owner, clinic, service, make_booking):
    service.confirmation_policy = ConfirmationPolicy.MANUAL
    service.save()
    booking = make_booking(timezone.now() + timedelta(days=3))
    assert booking.status == BookingStatus.PENDING
    sign_in(page, owner)

    # No one-tap decline on the dashboard: it leads to a page that asks why.
    expect(page.get_by_role("button", name="Decline", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Decline…").click()
    expect(page.get_by_role("heading", name="Decline Achieng Otieno's request?")).to_be_visible()
    page.get_by_role("button", name="Decline booking").click()
    expect(page.get_by_text("Tell the patient why")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING

    page.get_by_label("Reason shown to the patient").fill("I am away that week; please book with Dr. Otieno.")
    page.get_by_role("button", name="Decline booking").click()
    expect(page.get_by_text("Booking declined")).to_be_visible()
    expect(page.get_by_text("Made when the booking is confirmed")).to_have_count(0)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DECLINED

    page.goto(f"/b/{booking.token}/")
    expect(page.get_by_text("I am away that week; please book with Dr. Otieno.")).to_be_visible()
    expect(page.get_by_text("There is no meeting for this booking.")).to_be_visible()


def test_after_slot_just_taken_confirming_without_a_new_time_still_leads_on(page, clinic, service, make_booking):
    page.goto(f"/book/{clinic.slug}/?service={service.pk}")
    page.locator("a.slot").first.click()
    taken = re.search(r"slot=([^&]+)", page.url).group(1).replace("%3A", ":").replace("%2B", "+")
    page.get_by_label("Full name").fill("Amina Wanjiku")
    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_label("Mobile number").fill("0712 345 678")
    from bookings.forms import parse_slot

    make_booking(parse_slot(taken), name="Someone Else", email="else@example.com")  # taken meanwhile

    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("that slot was just taken")).to_be_visible()
    # Confirm again without picking: the page says what to do and keeps the taken time struck out.
    for _ in range(2):
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_text("Please pick one of the free times below")).to_be_visible()
        expect(page.locator("dd s")).to_have_count(1)
        expect(page.locator("input[name=slot][value=None]")).to_have_count(0)
        expect(page.get_by_label("Full name")).to_have_value("Amina Wanjiku")

    page.locator("input[type=radio][name=slot]").first.check()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/b/[A-Za-z0-9_-]+/$"))
    assert Booking.objects.filter(patient__email="amina@example.com").count() == 1


def test_a_lapsed_hold_whose_time_was_taken_tells_staff_and_patient_what_to_do(
    page, owner, clinic, service, make_booking
):
    from bookings import services

    service.confirmation_policy = ConfirmationPolicy.PAYMENT
    service.price = 1500
    service.save()
    starts_at = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    held = make_booking(starts_at)
    assert held.status == BookingStatus.AWAITING_PAYMENT
    Booking.objects.filter(pk=held.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.booking_expire_if_lapsed(booking=Booking.objects.get(pk=held.pk))
    service.confirmation_policy = ConfirmationPolicy.AUTOMATIC
    service.save()
    make_booking(starts_at, name="Someone Else", email="else@example.com")

    page.goto(f"/b/{held.token}/")
    expect(page.get_by_text("This booking was not paid in time")).to_be_visible()
    expect(page.get_by_role("link", name="Book again")).to_be_visible()
    expect(page.locator(".hold-until")).to_have_count(0)

    sign_in(page, owner)
    page.goto(f"/c/{clinic.slug}/bookings/{held.pk}/")
    expect(page.get_by_text("someone else has booked this time since")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Record payment"))).to_have_count(0)
    expect(page.get_by_text("just taken")).to_have_count(0)
    page.get_by_role("link", name="book them at another free time").click()
    expect(page).to_have_url(re.compile(rf"/book/{clinic.slug}/\?service={service.pk}"))
