"""In a real browser: the patient's link and the host link both end in the sandbox room, each in its role."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings.services import booking_create
from clinicpro.models import Role
from clinicpro.testing.factories import (
    PASSWORD,
    ClinicFactory,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)
from meetings.models import Meeting, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM_PAGE = re.compile(r"/sandbox/room/[a-z0-9]+\?jwt=")


@pytest.fixture
def booking(live_server, settings):
    """A confirmed online booking starting in ten minutes, its room on the sandbox server with signed links."""
    settings.SITE_URL = live_server.url
    clinic = ClinicFactory(name="ClinicPro Demo Clinic", slug="demo")
    config = settings_for(clinic)
    config.base_url = live_server.url + "/sandbox/room"
    config.jitsi_app_id = "clinicpro-demo"
    config.jitsi_app_secret = "demo-room-server-secret-0123456789-abcdef"
    config.save()
    practitioner = PractitionerFactory(
        membership=MembershipFactory(
            clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="dr-achieng", email="achieng@demo.example")
        ),
        display_name="Dr. Achieng Odhiambo",
    )
    service = ServiceFactory(clinic=clinic, name="Video consultation", practitioners=[practitioner])
    booked = booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=10),
        patient_name="Amina Wanjiku",
        patient_email="amina@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )
    assert Meeting.objects.get(booking=booked, is_current=True).status == "active"
    return booked


def participants(page: Page):
    return page.locator("#room-people li.participant")


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    return errors


def test_patient_and_practitioner_meet_in_the_sandbox_room_each_in_their_role(page, browser, live_server, booking):
    blocked = csp_errors(page)
    page.goto(f"/b/{booking.token}/")
    page.get_by_role("button", name="Join the consultation").click()

    expect(page).to_have_url(ROOM_PAGE)
    expect(page.get_by_text("You joined as Patient, a guest.")).to_be_visible()
    expect(participants(page)).to_have_count(1)
    expect(participants(page).first).to_contain_text("Patient")
    expect(participants(page).first).to_contain_text("Guest")

    practitioner = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    host = practitioner.new_page()
    host.set_default_timeout(15_000)
    host.goto(f"/accounts/login/?next=/c/demo/bookings/{booking.pk}/")
    host.locator("[name=login]").fill("achieng@demo.example")
    host.locator("[name=password]").fill(PASSWORD)
    host.locator("form", has=host.locator("[name=login]")).locator("[type=submit]").first.click()
    host_link = host.locator("#meeting-panel a[href*='/j/']")
    expect(host_link).to_be_visible()
    host.goto(host_link.get_attribute("href") or "")

    expect(host).to_have_url(ROOM_PAGE)
    assert host.url != page.url  # the host's token is not the patient's
    expect(host.get_by_text("You joined as Dr. Achieng Odhiambo, the host (moderator).")).to_be_visible()
    expect(participants(host)).to_have_count(2)
    expect(participants(host).nth(0)).to_contain_text("Patient")
    expect(participants(host).nth(0)).to_contain_text("Guest")
    expect(participants(host).nth(1)).to_contain_text("Dr. Achieng Odhiambo")
    expect(participants(host).nth(1)).to_contain_text("Host · moderator")
    practitioner.close()

    # The patient's page follows who joins, without a reload.
    expect(participants(page)).to_have_count(2, timeout=12_000)
    expect(participants(page).nth(1)).to_contain_text("Host · moderator")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert blocked == []
