"""Admin for bookings: searchable, and scoped to the staff member's clinics."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission

from bookings.models import Booking, BookingStatus
from clinicpro.models import Role
from clinicpro.testing.factories import (
    MembershipFactory,
    PatientFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)

STARTS = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


def booking_for(service, practitioner, patient_name: str, starts_at=STARTS, **patient) -> Booking:
    return Booking.objects.create(
        clinic=service.clinic,
        service=service,
        practitioner=practitioner,
        patient=PatientFactory(clinic=service.clinic, name=patient_name, **patient),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        status=BookingStatus.CONFIRMED,
    )


@pytest.fixture
def our_booking(service, practitioner):
    return booking_for(service, practitioner, "Achieng Otieno", email="achieng@example.com", phone="+254712345678")


@pytest.fixture
def their_booking(other_clinic):
    practitioner = PractitionerFactory(membership=MembershipFactory(clinic=other_clinic), display_name="Dr. Other")
    service = ServiceFactory(clinic=other_clinic, name="Their secret service", practitioners=[practitioner])
    return booking_for(service, practitioner, "Zawadi Mombasa", email="zawadi@example.com", phone="+254722000000")


@pytest.fixture
def clinic_staff(clinic):
    """A staff member of `clinic` who may use the admin for bookings."""
    user = UserFactory(username="reception", is_staff=True)
    MembershipFactory(clinic=clinic, user=user, role=Role.STAFF)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="bookings"))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="platform", is_staff=True, is_superuser=True)


def test_staff_see_only_their_clinics_bookings(client, clinic_staff, our_booking, their_booking):
    client.force_login(clinic_staff)

    page = client.get("/admin/bookings/booking/").content.decode()

    assert "Achieng Otieno" in page
    assert "Zawadi Mombasa" not in page
    assert "Mombasa Care" not in page  # not even as a filter choice


def test_staff_cannot_open_another_clinics_booking(client, clinic_staff, their_booking):
    client.force_login(clinic_staff)

    response = client.get(f"/admin/bookings/booking/{their_booking.pk}/change/", follow=True)

    assert "Zawadi" not in response.content.decode()
    assert response.redirect_chain or response.status_code == 404


@pytest.mark.parametrize(
    "model_path, ours, theirs",
    [
        ("patient", "Achieng Otieno", "Zawadi Mombasa"),
        ("service", "Online consultation", "Their secret service"),
        ("practitioner", "Dr. Wanjiru Kamau", "Dr. Other"),
    ],
)
def test_every_bookings_admin_list_is_scoped(
    client, clinic_staff, our_booking, their_booking, model_path, ours, theirs
):
    client.force_login(clinic_staff)

    page = client.get(f"/admin/bookings/{model_path}/").content.decode()

    assert ours in page and theirs not in page


def test_a_new_service_can_only_be_offered_by_the_staff_members_practitioners(
    client, clinic_staff, practitioner, their_booking
):
    client.force_login(clinic_staff)

    form = client.get("/admin/bookings/service/add/").content.decode()

    assert "Dr. Wanjiru Kamau" in form
    assert "Dr. Other" not in form and "Mombasa Care" not in form


def test_superusers_see_every_clinic(client, superuser, our_booking, their_booking):
    client.force_login(superuser)

    page = client.get("/admin/bookings/booking/").content.decode()

    assert "Achieng Otieno" in page and "Zawadi Mombasa" in page


@pytest.mark.parametrize("query", ["Achieng", "achieng@example.com", "+254712345678"])
def test_bookings_are_found_by_patient_name_email_or_phone(client, superuser, our_booking, their_booking, query):
    client.force_login(superuser)

    page = client.get("/admin/bookings/booking/", {"q": query}).content.decode()

    assert "Achieng Otieno" in page and "Zawadi Mombasa" not in page


def test_a_booking_is_found_by_its_exact_token(client, superuser, our_booking, their_booking):
    client.force_login(superuser)

    assert "Achieng Otieno" in client.get("/admin/bookings/booking/", {"q": our_booking.token}).content.decode()
    assert "Achieng Otieno" not in client.get("/admin/bookings/booking/", {"q": our_booking.token[:6]}).content.decode()


def test_the_booking_list_shows_the_time_in_the_clinics_zone(client, superuser, our_booking):
    client.force_login(superuser)

    page = client.get("/admin/bookings/booking/").content.decode()

    assert "Tue 03 Mar 2026 10:00 Africa/Nairobi" in page


def test_the_booking_list_costs_the_same_queries_for_many_bookings(
    client, superuser, service, practitioner, django_assert_max_num_queries
):
    for hour in range(20):
        booking_for(service, practitioner, f"Patient {hour}", starts_at=STARTS + timedelta(hours=hour))
    client.force_login(superuser)

    with django_assert_max_num_queries(12):
        assert client.get("/admin/bookings/booking/").status_code == 200


def test_lifecycle_fields_are_read_only_in_admin(client, superuser, our_booking):
    client.force_login(superuser)

    client.post(
        f"/admin/bookings/booking/{our_booking.pk}/change/",
        {"notes": "Prefers afternoon", "status": "cancelled", "starts_at": "2030-01-01 10:00"},
    )

    our_booking.refresh_from_db()
    assert our_booking.notes == "Prefers afternoon"
    assert our_booking.status == BookingStatus.CONFIRMED and our_booking.starts_at == STARTS
    assert client.get("/admin/bookings/booking/add/").status_code == 403


def test_cancelling_from_admin_goes_through_the_lifecycle(
    client, superuser, our_booking, django_capture_on_commit_callbacks
):
    from bookings.signals import booking_cancelled

    heard = []

    def listener(booking, **kwargs):
        heard.append(booking.pk)

    booking_cancelled.connect(listener, weak=False)
    client.force_login(superuser)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/admin/bookings/booking/",
                {"action": "cancel_bookings", "_selected_action": [our_booking.pk]},
            )
    finally:
        booking_cancelled.disconnect(listener)

    our_booking.refresh_from_db()
    assert our_booking.status == BookingStatus.CANCELLED
    assert our_booking.sequence == 1
    assert heard == [our_booking.pk]
