"""`manage.py seed_demo` builds the demo clinic and can run again without changing anything."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from clinicpro.demo import DEMO_PASSWORD
from clinicpro.models import Clinic, Membership, Role


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Row counts of every table, to compare before and after a second run."""
    from django.apps import apps

    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_it_creates_the_demo_clinic_and_its_people_and_prints_their_logins():
    output = seed()
    clinic = Clinic.objects.get(slug="demo")
    assert (clinic.name, clinic.timezone, clinic.currency) == ("Demo Clinic", "Africa/Nairobi", "KES")
    roles = sorted(Membership.objects.filter(clinic=clinic).values_list("role", flat=True))
    assert roles == [Role.OWNER, Role.PRACTITIONER, Role.PRACTITIONER]
    patient = get_user_model().objects.get(username="patient")
    assert not patient.memberships.exists()
    for user in get_user_model().objects.filter(username__in=["owner", "wanjiru", "otieno", "patient"]):
        assert user.check_password(DEMO_PASSWORD)
        assert user.email in output
    assert DEMO_PASSWORD in output
    assert "/c/demo/" in output


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


@pytest.mark.django_db
def test_the_demo_owner_can_sign_in_and_lands_on_the_demo_dashboard(client):
    seed()
    response = client.post("/accounts/login/", {"login": "owner@demo.clinicpro.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/")["Location"] == "/c/demo/"


@pytest.mark.django_db
def test_it_refuses_to_put_published_passwords_on_a_production_site(settings):
    settings.DEBUG = False
    settings.SANDBOX_ENABLED = False
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Clinic.objects.filter(slug="demo").exists()
