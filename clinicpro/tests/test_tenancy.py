import pytest


@pytest.mark.django_db
def test_a_member_sees_their_clinic_dashboard(client, clinic, owner):
    client.force_login(owner)
    response = client.get(f"/c/{clinic.slug}/")
    assert response.status_code == 200
    assert clinic.name in response.content.decode()


@pytest.mark.django_db
def test_another_clinics_dashboard_is_a_404(client, clinic, stranger):
    client.force_login(stranger)
    assert client.get(f"/c/{clinic.slug}/").status_code == 404
