"""Django admin keeps the rule the members page keeps: a clinic always has an owner."""

import pytest

from clinicpro.models import Membership, Role


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def membership_form(membership, role):
    return {"user": membership.user_id, "clinic": membership.clinic_id, "role": role}


@pytest.mark.django_db
def test_admin_refuses_to_demote_the_last_owner(staff_client, owner, clinic):
    membership = Membership.objects.get(user=owner)
    response = staff_client.post(
        f"/admin/clinicpro/membership/{membership.pk}/change/", membership_form(membership, Role.STAFF)
    )
    assert response.status_code == 200
    assert "always keeps at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER


@pytest.mark.django_db
def test_admin_demotes_an_owner_when_another_remains(staff_client, owner, practitioner, clinic):
    Membership.objects.filter(user=practitioner.user).update(role=Role.OWNER)
    membership = Membership.objects.get(user=owner)
    response = staff_client.post(
        f"/admin/clinicpro/membership/{membership.pk}/change/", membership_form(membership, Role.STAFF)
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == Role.STAFF


@pytest.mark.django_db
def test_admin_refuses_to_delete_the_last_owner(staff_client, owner):
    membership = Membership.objects.get(user=owner)
    staff_client.post(f"/admin/clinicpro/membership/{membership.pk}/delete/", {"post": "yes"})
    staff_client.post(
        "/admin/clinicpro/membership/",
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert Membership.objects.filter(pk=membership.pk, role=Role.OWNER).exists()


@pytest.mark.django_db
def test_the_clinic_page_inline_refuses_to_demote_every_owner(staff_client, owner, clinic):
    membership = Membership.objects.get(user=owner)
    page = staff_client.get(f"/admin/clinicpro/clinic/{clinic.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "created_at"}
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-clinic": clinic.pk,
            "memberships-0-user": owner.pk,
            "memberships-0-role": Role.STAFF,
            "invitations-TOTAL_FORMS": "0",
            "invitations-INITIAL_FORMS": "0",
        }
    )
    response = staff_client.post(f"/admin/clinicpro/clinic/{clinic.pk}/change/", data)
    assert response.status_code == 200
    assert "always keeps at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER
