"""Signing in with allauth, and where a signed-in person lands."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from clinicpro.models import Role
from clinicpro.testing.factories import PASSWORD, ClinicFactory, MembershipFactory, UserFactory


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_a_member_of_one_clinic_lands_on_its_dashboard(client, owner, clinic):
    response = sign_in(client, owner.email)
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/")["Location"] == f"/c/{clinic.slug}/"


@pytest.mark.django_db
def test_a_member_of_several_clinics_chooses_one(client, owner, clinic):
    second = ClinicFactory(name="Kisumu Family Practice", slug="kisumu")
    MembershipFactory(user=owner, clinic=second, role=Role.STAFF)
    client.force_login(owner)
    page = client.get("/dashboard/").content.decode()
    assert f'href="/c/{clinic.slug}/"' in page and 'href="/c/kisumu/"' in page


@pytest.mark.django_db
def test_a_user_without_a_clinic_is_told_what_to_do(client):
    client.force_login(UserFactory(username="loner"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "does not belong to a clinic yet" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = sign_in(client, owner.email, "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_account_pages_use_the_site_layout(client, path):
    page = client.get(path).content.decode()
    assert "clinicpro/site.css" in page
    assert 'name="viewport"' in page
    assert 'class="container entrance"' in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_signing_out_is_a_post(client, owner):
    client.force_login(owner)
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page, not a sign-out
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_emails_a_link(client, owner):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    client.post("/accounts/password/reset/", {"email": owner.email})
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_with_mandatory_verification_an_unverified_user_cannot_reach_the_dashboard(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@example.com", "password1": "a-long-demo-passphrase", "password2": "a-long-demo-passphrase"},
    )
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert "/accounts/confirm-email/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_google_sign_in_appears_only_when_configured(client, settings):
    assert "Continue with Google" not in client.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "id.apps.googleusercontent.com", "secret": "s"}], "SCOPE": ["email"]}
    }
    assert "Continue with Google" in client.get("/accounts/login/").content.decode()
