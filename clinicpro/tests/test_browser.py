"""The invitation journey in a real browser at phone size: invite, sign up from the link, accept."""

import re

import pytest
from django.core import mail

from clinicpro.models import Membership, Role
from clinicpro.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    assert_fits_the_phone(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_an_owner_invites_a_practitioner_who_signs_up_and_joins(page, browser, live_server, owner, clinic):
    sign_in(page, owner.email)
    page.wait_for_url(f"**/c/{clinic.slug}/")
    page.get_by_text("Menu").click()  # at phone size the header folds its links into a menu
    page.get_by_role("link", name="Members").click()
    # Measure the members page itself, not the dashboard it is leaving.
    page.wait_for_url(f"**/c/{clinic.slug}/members/")
    assert_fits_the_phone(page)
    page.get_by_label("Email", exact=True).fill("new.doc@example.com")
    page.get_by_label("Role", exact=True).select_option(Role.PRACTITIONER)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to new.doc@example.com").wait_for()

    link = re.search(r"http\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    invitee = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}).new_page()
    invitee.goto(f"/{path}")
    assert_fits_the_phone(invitee)
    invitee.get_by_role("button", name="Create an account").click()
    assert invitee.get_by_label("Email").input_value() == "new.doc@example.com"
    assert_fits_the_phone(invitee)
    invitee.get_by_label("Password", exact=True).fill("a-long-demo-passphrase")
    invitee.get_by_label("Password (again)").fill("a-long-demo-passphrase")
    invitee.get_by_role("button", name="Sign Up").click()

    # The link alone does not make a member: the invitee confirms the invited address first.
    invitee.get_by_text("Confirm that address first").wait_for()
    confirm = re.search(r"http\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    invitee.goto(confirm)
    invitee.get_by_role("button", name="Confirm").click()
    invitee.goto(f"/{path}")
    invitee.get_by_role("button", name=f"Accept and join {clinic.name}").click()
    invitee.wait_for_url(f"**/c/{clinic.slug}/")
    invitee.get_by_text(f"Welcome to {clinic.name}").wait_for()
    assert Membership.objects.get(user__email="new.doc@example.com").role == Role.PRACTITIONER
