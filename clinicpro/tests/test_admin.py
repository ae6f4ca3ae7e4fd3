"""Platform staff manage clinics, members and invitations in Django admin."""

import pytest

from clinicpro.models import Invitation, Role
from clinicpro.testing.factories import ClinicFactory


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.mark.django_db
def test_clinics_are_searchable_by_name_and_member_email(staff_client, clinic, owner, other_clinic):
    by_name = staff_client.get("/admin/clinicpro/clinic/?q=uhuru").content.decode()
    assert "Uhuru Health" in by_name and "Mombasa Care" not in by_name
    by_member = staff_client.get(f"/admin/clinicpro/clinic/?q={owner.email}").content.decode()
    assert "Uhuru Health" in by_member and "Mombasa Care" not in by_member


@pytest.mark.django_db
def test_clinics_filter_by_active_flag(staff_client, clinic):
    ClinicFactory(name="Closed Clinic", is_active=False)
    page = staff_client.get("/admin/clinicpro/clinic/?is_active__exact=0").content.decode()
    assert "Closed Clinic" in page and "Uhuru Health" not in page


@pytest.mark.django_db
def test_a_clinic_page_shows_its_members_and_invitations_inline(staff_client, clinic, owner):
    Invitation.objects.create(clinic=clinic, email="invitee@example.com", role=Role.STAFF, invited_by=owner)
    page = staff_client.get(f"/admin/clinicpro/clinic/{clinic.pk}/change/").content.decode()
    assert "memberships-0-role" in page
    assert "invitee@example.com" in page
    assert Invitation.objects.get().token not in page


@pytest.mark.django_db
def test_memberships_filter_by_role(staff_client, owner, practitioner):
    page = staff_client.get("/admin/clinicpro/membership/?role__exact=owner").content.decode()
    assert owner.email in page and practitioner.user.email not in page


@pytest.mark.django_db
def test_invitations_filter_by_status(staff_client, clinic, owner):
    from django.utils import timezone

    Invitation.objects.create(clinic=clinic, email="open@example.com", invited_by=owner)
    Invitation.objects.create(clinic=clinic, email="done@example.com", invited_by=owner, accepted_at=timezone.now())
    page = staff_client.get("/admin/clinicpro/invitation/?status=pending").content.decode()
    assert "open@example.com" in page and "done@example.com" not in page
