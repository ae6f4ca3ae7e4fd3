"""Owners change roles and remove members; a clinic always keeps an owner."""

import pytest

from clinicpro.models import Membership, Role
from clinicpro.testing.factories import MembershipFactory


def change_role(client, clinic, membership, role):
    return client.post(f"/c/{clinic.slug}/members/{membership.pk}/role/", {f"m{membership.pk}-role": role}, follow=True)


@pytest.mark.django_db
def test_an_owner_changes_a_members_role(client, owner, practitioner, clinic):
    client.force_login(owner)
    response = change_role(client, clinic, practitioner.membership, Role.STAFF)
    assert "is now staff" in response.content.decode()
    practitioner.membership.refresh_from_db()
    assert practitioner.membership.role == Role.STAFF


@pytest.mark.django_db
def test_the_last_owner_cannot_step_down(client, owner, clinic):
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = change_role(client, clinic, membership, Role.STAFF)
    assert "only owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed(client, owner, clinic):
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(f"/c/{clinic.slug}/members/{membership.pk}/remove/", follow=True)
    assert "only owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_with_a_second_owner_an_owner_may_leave(client, owner, clinic):
    MembershipFactory(clinic=clinic, role=Role.OWNER)
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(f"/c/{clinic.slug}/members/{membership.pk}/remove/")
    assert response["Location"] == "/dashboard/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_an_owner_removes_a_member_who_then_loses_the_dashboard(client, owner, clinic):
    staff = MembershipFactory(clinic=clinic, role=Role.STAFF)
    client.force_login(owner)
    client.post(f"/c/{clinic.slug}/members/{staff.pk}/remove/")
    client.force_login(staff.user)
    assert client.get(f"/c/{clinic.slug}/").status_code == 404


@pytest.mark.django_db
def test_an_unknown_role_is_refused(client, owner, practitioner, clinic):
    client.force_login(owner)
    response = change_role(client, clinic, practitioner.membership, "emperor")
    assert "Choose one of the listed roles" in response.content.decode()
    practitioner.membership.refresh_from_db()
    assert practitioner.membership.role == Role.PRACTITIONER


@pytest.mark.django_db
def test_an_owner_who_steps_down_beside_another_owner_goes_to_the_dashboard(client, owner, clinic):
    MembershipFactory(clinic=clinic, role=Role.OWNER)
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(f"/c/{clinic.slug}/members/{membership.pk}/role/", {f"m{membership.pk}-role": "staff"})
    assert response["Location"] == f"/c/{clinic.slug}/"
    membership.refresh_from_db()
    assert membership.role == Role.STAFF
