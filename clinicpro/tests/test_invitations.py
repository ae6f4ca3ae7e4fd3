"""Owners invite people by email; an invitation link makes one membership, once."""

import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.utils import timezone

from clinicpro import services
from clinicpro.models import Invitation, Membership, Role
from clinicpro.testing.factories import PASSWORD, UserFactory


def invitee(username: str, email: str = ""):
    """A user who has verified the address the invitation goes to."""
    user = UserFactory(username=username, email=email or f"{username}@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def invite(owner, clinic, client, django_capture_on_commit_callbacks):
    """Invite an address through the members page, as the owner would; return the emailed link."""

    def send(email: str = "new.doc@example.com", role: str = Role.PRACTITIONER) -> str:
        client.force_login(owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/c/{clinic.slug}/members/invite/", {"email": email, "role": role})
        assert response.status_code == 302, response.content.decode()
        client.logout()
        link = re.search(r"https?://\S+/invite/(\S+)/", mail.outbox[-1].body)
        return f"/invite/{link.group(1)}/"

    return send


@pytest.mark.django_db
def test_an_owner_invites_by_email_and_the_email_carries_the_link(invite, clinic):
    path = invite("New.Doc@Example.com", Role.STAFF)
    message = mail.outbox[-1]
    assert message.to == ["new.doc@example.com"]
    assert clinic.name in message.subject
    assert "as staff" in message.body
    invitation = Invitation.objects.get(clinic=clinic)
    assert path == f"/invite/{invitation.token}/"
    assert invitation.role == Role.STAFF


@pytest.mark.django_db
def test_the_members_page_lists_members_with_roles_and_pending_invitations(client, owner, practitioner, clinic, invite):
    invite("pending@example.com")
    client.force_login(owner)
    page = client.get(f"/c/{clinic.slug}/members/").content.decode()
    assert owner.email in page and practitioner.user.email in page
    assert "pending@example.com" in page
    assert 'value="practitioner" selected' in page


@pytest.mark.django_db
def test_an_invitee_without_account_signs_up_and_comes_back_to_accept(client, invite, clinic):
    path = invite("new.doc@example.com", Role.PRACTITIONER)

    landing = client.get(path)
    assert "Create an account" in landing.content.decode()
    signup = client.post(
        f"/accounts/signup/?next={path}",
        {
            "email": "new.doc@example.com",
            "password1": "a-long-demo-passphrase",
            "password2": "a-long-demo-passphrase",
            "next": path,
        },
    )
    assert signup.status_code == 302 and signup["Location"] == path

    unconfirmed = client.get(path).content.decode()
    assert "Accept and join" not in unconfirmed and "Confirm that address first" in unconfirmed
    client.get(re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1))
    client.post(re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1))
    confirm = client.get(path)
    assert "Accept and join Uhuru Health" in confirm.content.decode()
    accepted = client.post(path)
    assert accepted.status_code == 302 and accepted["Location"] == f"/c/{clinic.slug}/"
    membership = Membership.objects.get(user__email="new.doc@example.com", clinic=clinic)
    assert membership.role == Role.PRACTITIONER
    invitation = Invitation.objects.get(clinic=clinic)
    assert invitation.accepted_by == membership.user and invitation.accepted_at is not None


@pytest.mark.django_db
def test_an_existing_user_signs_in_and_returns_to_the_invitation(client, invite):
    UserFactory(username="known", email="known@example.com")
    path = invite("known@example.com")
    client.get(path)
    response = client.post("/accounts/login/", {"login": "known@example.com", "password": PASSWORD, "next": path})
    assert response["Location"] == path


@pytest.mark.django_db
def test_signing_in_later_from_the_dashboard_still_leads_to_the_invitation(client, invite):
    """Email verification can lose ?next=; the pending invitation is remembered in the session."""
    user = UserFactory(username="known", email="known@example.com")
    path = invite("known@example.com")
    client.get(path)
    client.force_login(user)
    assert client.get("/dashboard/")["Location"] == path


@pytest.mark.django_db
def test_accepting_needs_a_post_so_a_link_preview_does_not_accept(client, invite):
    user = UserFactory(username="known", email="known@example.com")
    path = invite("known@example.com")
    client.force_login(user)
    client.get(path)
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_invitation_is_accepted_once_and_a_second_attempt_is_told_so(client, invite, clinic):
    first, second = invitee("first"), invitee("second")
    path = invite("first@example.com")
    client.force_login(first)
    client.post(path)
    client.force_login(second)

    again = client.post(path)
    assert again.status_code == 410
    assert "already been accepted" in again.content.decode()
    assert not Membership.objects.filter(user=second, clinic=clinic).exists()
    assert client.get(path).status_code == 410


@pytest.mark.django_db
def test_an_expired_invitation_is_refused(client, invite, clinic):
    user = invitee("late")
    path = invite("late@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(user)
    response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=user, clinic=clinic).exists()


@pytest.mark.django_db
def test_a_revoked_invitation_is_refused(client, owner, clinic, invite):
    user = invitee("late")
    path = invite("late@example.com")
    invitation = Invitation.objects.get()
    client.force_login(owner)
    client.post(f"/c/{clinic.slug}/invitations/{invitation.pk}/revoke/")
    client.force_login(user)
    response = client.post(path)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


@pytest.mark.django_db
def test_resending_an_invitation_retires_the_earlier_link(client, invite):
    user = invitee("twice")
    old_path = invite("twice@example.com")
    new_path = invite("twice@example.com")
    assert old_path != new_path
    client.force_login(user)
    assert client.post(old_path).status_code == 410
    assert client.post(new_path).status_code == 302


@pytest.mark.django_db
def test_an_unknown_invitation_link_is_a_404_with_an_explanation(client):
    response = client.get("/invite/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_inviting_a_current_member_is_refused_with_a_message(client, owner, practitioner, clinic):
    client.force_login(owner)
    response = client.post(f"/c/{clinic.slug}/members/invite/", {"email": practitioner.user.email, "role": "staff"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_bad_email_gets_a_form_error(client, owner, clinic):
    client.force_login(owner)
    response = client.post(f"/c/{clinic.slug}/members/invite/", {"email": "not-an-email", "role": "staff"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.django_db
def test_only_owners_may_invite(client, practitioner, clinic):
    client.force_login(practitioner.user)
    response = client.post(f"/c/{clinic.slug}/members/invite/", {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 403
    assert client.get(f"/c/{clinic.slug}/members/").status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_another_clinics_owner_gets_404_on_every_members_url(client, stranger, clinic, owner):
    invitation = services.invitation_create(clinic=clinic, email="x@example.com", role=Role.STAFF, invited_by=owner)
    membership = Membership.objects.get(user=owner)
    client.force_login(stranger)
    base = f"/c/{clinic.slug}"
    assert client.get(f"{base}/members/").status_code == 404
    assert client.post(f"{base}/members/invite/", {"email": "y@example.com", "role": "owner"}).status_code == 404
    assert client.post(f"{base}/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"{base}/members/{membership.pk}/role/", {f"m{membership.pk}-role": "staff"}).status_code == 404
    assert client.post(f"{base}/members/{membership.pk}/remove/").status_code == 404
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_cannot_revoke_another_clinics_invitation_through_their_own_clinic(
    client, stranger, clinic, owner, other_clinic
):
    invitation = services.invitation_create(clinic=clinic, email="x@example.com", role=Role.STAFF, invited_by=owner)
    client.force_login(stranger)
    assert client.post(f"/c/{other_clinic.slug}/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.django_db(transaction=True)
def test_four_racing_accepts_of_one_invitation_make_exactly_one_membership(clinic, owner):
    invitation = services.invitation_create(clinic=clinic, email="x@example.com", role=Role.STAFF, invited_by=owner)
    racers = [invitee("x")] * 4  # one person, four tabs or devices
    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def accept(user) -> None:
        try:
            barrier.wait()
            services.invitation_accept(token=invitation.token, user=user)
            outcomes.append("joined")
        except services.TenancyError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("joined") == 1
    assert Membership.objects.filter(clinic=clinic, role=Role.STAFF).count() == 1


@pytest.mark.django_db
def test_with_mandatory_email_verification_the_invitee_still_ends_on_the_invitation(client, invite, settings, clinic):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    path = invite("new.doc@example.com")
    client.get(path)
    client.post(
        f"/accounts/signup/?next={path}",
        {
            "email": "new.doc@example.com",
            "password1": "a-long-demo-passphrase",
            "password2": "a-long-demo-passphrase",
            "next": path,
        },
    )
    confirm_path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    client.post(confirm_path)
    # Confirming (maybe on another device) does not sign in, and the ?next= of the signup is gone by now.
    client.post("/accounts/login/", {"login": "new.doc@example.com", "password": "a-long-demo-passphrase"})
    landing = client.get("/dashboard/", follow=True)
    assert landing.redirect_chain[-1][0] == path
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(user__email="new.doc@example.com", clinic=clinic).exists()


@pytest.mark.django_db
def test_an_account_with_another_address_cannot_accept_an_owner_invitation(client, invite, clinic):
    path = invite("new.owner@example.com", Role.OWNER)
    holder = invitee("holder")
    client.force_login(holder)

    page = client.get(path).content.decode()
    assert "Accept and join" not in page and "Only the owner of new.owner@example.com" in page
    refused = client.post(path)
    assert refused.status_code == 409
    assert "This invitation is for new.owner@example.com" in refused.content.decode()
    assert not Membership.objects.filter(user=holder, clinic=clinic).exists()
    assert Invitation.objects.get(clinic=clinic).accepted_at is None


@pytest.mark.django_db
def test_the_invited_address_unverified_is_not_enough(client, invite, clinic):
    path = invite("new.doc@example.com")
    unverified = UserFactory(username="claimer", email="new.doc@example.com")
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    client.force_login(unverified)
    assert client.post(path).status_code == 409
    assert not Membership.objects.filter(user=unverified).exists()
