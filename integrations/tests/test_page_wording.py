"""The integrations page says what connecting does, and no more."""

import pytest
from django.test import Client

from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, UserFactory


@pytest.mark.django_db
def test_the_integrations_page_says_the_service_decides_the_platform(client, practitioner):
    client.force_login(practitioner.user)
    page = client.get("/integrations/").content.decode()
    assert "get meetings there automatically" not in page
    assert "on the platform its service names" in page
    assert "uses the clinic's backup room" in page


@pytest.mark.django_db
def test_connecting_makes_a_platform_available_to_the_services_that_choose_it(client, practitioner):
    client.force_login(practitioner.user)

    page = client.get("/integrations/").content.decode()

    assert "Connecting an account makes its platform available to your bookings of the services set to it." in page
    assert 'Each service chooses its platform under <a href="/c/uhuru/services/">Services</a>' in page
    for card in (
        "Google Meet links, on your Google Calendar, for your bookings of services set to Google Meet;",
        "Zoom meetings, with a waiting room and a passcode, for your bookings of services set to Zoom.",
        "Microsoft Teams meetings, on your Outlook calendar, for your bookings of services set to Microsoft Teams.",
    ):
        assert card in page
    assert "for your online bookings" not in page


@pytest.mark.django_db
def test_staff_who_cannot_open_services_get_no_link_to_them(clinic):
    staff = MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="desk")).user
    client = Client()
    client.force_login(staff)

    page = client.get("/integrations/").content.decode()

    assert "Each service chooses its platform in the clinic's service settings" in page
    assert 'href="/c/uhuru/services/"' not in page
