"""A practitioner's own profile: made on first use for someone who joined by invitation, and editable."""

from bookings.models import Practitioner
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, UserFactory


def joined_by_invitation(clinic, role=Role.PRACTITIONER):
    user = UserFactory(username="newdoc", email="newdoc@example.com", first_name="Halima", last_name="Yusuf")
    return MembershipFactory(clinic=clinic, role=role, user=user)


def test_a_practitioner_who_joined_by_invitation_gets_a_profile_and_can_set_hours(client, clinic):
    membership = joined_by_invitation(clinic)
    client.force_login(membership.user)

    assert f"/c/{clinic.slug}/availability/" in client.get(f"/c/{clinic.slug}/").content.decode()
    page = client.get(f"/c/{clinic.slug}/availability/")

    assert page.status_code == 200
    profile = Practitioner.objects.get(membership=membership)
    assert profile.clinic == clinic and profile.display_name == "Halima Yusuf"
    assert "Save working hours" in page.content.decode()


def test_staff_still_have_no_working_hours(client, clinic):
    membership = joined_by_invitation(clinic, role=Role.STAFF)
    client.force_login(membership.user)

    assert client.get(f"/c/{clinic.slug}/availability/").status_code == 404
    assert not Practitioner.objects.filter(membership=membership).exists()


def test_a_practitioner_edits_what_patients_read_about_them(client, clinic, practitioner):
    client.force_login(practitioner.user)

    client.post(
        f"/c/{clinic.slug}/availability/",
        {
            "save_profile": "1",
            "profile-display_name": "Dr. Wanjiru Kamau",
            "profile-specialty": "Paediatrics",
            "profile-bio": "Children and teenagers.",
            "profile-timezone": "",
        },
    )

    practitioner.refresh_from_db()
    assert practitioner.specialty == "Paediatrics" and practitioner.bio == "Children and teenagers."


def test_an_unknown_timezone_is_refused_and_the_rest_of_the_input_kept(client, clinic, practitioner):
    client.force_login(practitioner.user)

    response = client.post(
        f"/c/{clinic.slug}/availability/",
        {
            "save_profile": "1",
            "profile-display_name": "Dr. Wanjiru Kamau",
            "profile-specialty": "Paediatrics",
            "profile-bio": "",
            "profile-timezone": "Nairobi",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown timezone" in page and 'value="Paediatrics"' in page
    practitioner.refresh_from_db()
    assert practitioner.timezone == "" and practitioner.specialty == "General practice"
