"""The /integrations/ page."""

import pytest
from django.urls import reverse

from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory


@pytest.mark.django_db
def test_the_page_shows_a_card_per_provider_with_what_it_is_for(practitioner_client):
    page = practitioner_client.get(reverse("integrations:page")).content.decode()

    for title in ("Google Meet and Calendar", "Zoom", "Microsoft Teams"):
        assert title in page
    assert page.count("Not connected") == 3
    assert "busy times are kept out of the slots" in page
    assert page.count('name="csrfmiddlewaretoken"') >= 3


@pytest.mark.django_db
def test_the_page_needs_a_login(client):
    response = client.get(reverse("integrations:page"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_next_is_carried_into_the_connect_forms(practitioner_client):
    page = practitioner_client.get(reverse("integrations:page") + "?next=/c/uhuru/services/").content.decode()

    assert '<input type="hidden" name="next" value="/c/uhuru/services/">' in page
    assert '<a href="/c/uhuru/services/">Back to where you were</a>' in page


@pytest.mark.django_db
def test_an_outside_next_is_dropped(practitioner_client):
    page = practitioner_client.get(reverse("integrations:page") + "?next=https://evil.example/").content.decode()

    assert "evil.example" not in page


@pytest.mark.django_db
def test_a_member_of_several_clinics_picks_one(practitioner, practitioner_client, other_clinic):
    MembershipFactory(clinic=other_clinic, role=Role.OWNER, user=practitioner.user)

    page = practitioner_client.get(reverse("integrations:page") + "?clinic=mombasa").content.decode()

    assert 'href="?clinic=uhuru"' in page
    assert "Zoom for the whole clinic (Server-to-Server)" in page  # owner there
    assert "Accounts are connected by each practitioner" in page  # no practitioner profile there


@pytest.mark.django_db
def test_owners_see_the_clinic_zoom_form_and_practitioners_do_not(client, owner, practitioner_client):
    client.force_login(owner)

    assert "Zoom for the whole clinic" in client.get(reverse("integrations:page")).content.decode()
    assert "Zoom for the whole clinic" not in practitioner_client.get(reverse("integrations:page")).content.decode()
