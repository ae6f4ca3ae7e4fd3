"""The public booking pages at /book/<slug>/, driven with the Django test client."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from bookings.models import Booking, BookingStatus, ConfirmationPolicy
from clinicpro.testing.factories import ClinicFactory, PractitionerFactory, ServiceFactory, UserFactory

# Monday 2 March 2026, 09:00 in Nairobi; the practitioner works 08:00-17:00 every day.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TUESDAY_10 = "2026-03-03T07:00:00Z"  # 10:00 Nairobi


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def details_url(clinic, service, practitioner, slot=TUESDAY_10):
    return f"/book/{clinic.slug}/details/?service={service.pk}&practitioner={practitioner.pk}&slot={slot}"


def patient_details(**overrides):
    return {
        "slot": TUESDAY_10,
        "name": "Amina Wanjiku",
        "email": "Amina@Example.com",
        "phone": "0712 345 678",
        "notes": "Second opinion on my results.",
        **overrides,
    }


def test_an_unknown_clinic_is_a_404(client, db):
    assert client.get("/book/nowhere/").status_code == 404


def test_an_inactive_clinic_is_a_404(client, clinic):
    clinic.is_active = False
    clinic.save()
    assert client.get(f"/book/{clinic.slug}/").status_code == 404


def test_services_show_price_length_and_whether_online(client, clinic, practitioner, service):
    ServiceFactory(
        clinic=clinic,
        name="Physiotherapy",
        price=1500,
        duration_minutes=45,
        is_online=False,
        practitioners=[practitioner],
    )
    ServiceFactory(clinic=clinic, name="Hidden", is_active=False, practitioners=[practitioner])
    ServiceFactory(clinic=clinic, name="Nobody offers this")
    page = client.get(f"/book/{clinic.slug}/").content.decode()
    assert "Online consultation" in page and "Free" in page and "Online" in page
    assert "Physiotherapy" in page and "KES 1,500" in page and "45 min" in page and "In person" in page
    assert "Hidden" not in page
    assert "Nobody offers this" not in page


def test_with_several_practitioners_the_patient_chooses_one(client, clinic, practitioner, service):
    other = PractitionerFactory(membership__clinic=clinic, display_name="Dr. Otieno Ouma")
    service.practitioners.add(other)
    page = client.get(f"/book/{clinic.slug}/?service={service.pk}").content.decode()
    assert "Choose who you would like to see" in page
    assert "Dr. Wanjiru Kamau" in page and "Dr. Otieno Ouma" in page


def test_with_one_practitioner_the_times_show_at_once_with_the_zone_named(client, clinic, practitioner, service):
    page = client.get(f"/book/{clinic.slug}/?service={service.pk}").content.decode()
    assert "Times in East Africa Time (Africa/Nairobi)" in page
    # Today from 09:00 (now) in Nairobi; a 30-minute service steps every 30 minutes.
    assert ">09:00<" in page and ">16:30<" in page and ">08:30<" not in page
    assert details_url(clinic, service, practitioner, "2026-03-02T06:00:00Z").replace("&", "&amp;") in page


def test_choosing_another_day_shows_that_days_times(client, clinic, practitioner, service):
    page = client.get(
        f"/book/{clinic.slug}/?service={service.pk}&practitioner={practitioner.pk}&day=2026-03-03"
    ).content.decode()
    assert "Tuesday 3 March" in page
    assert "slot=2026-03-03T05:00:00Z" in page  # 08:00 Nairobi


def test_htmx_gets_only_the_slot_list(client, clinic, practitioner, service):
    response = client.get(
        f"/book/{clinic.slug}/?service={service.pk}&practitioner={practitioner.pk}&day=2026-03-03",
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="slot-picker"')
    assert "<html" not in page


def test_a_patient_books_and_lands_on_their_manage_page(client, clinic, practitioner, service):
    service.confirmation_policy = ConfirmationPolicy.MANUAL
    service.save()
    form = client.get(details_url(clinic, service, practitioner)).content.decode()
    assert "Tuesday 3 March 2026, 10:00" in form and "East Africa Time (Africa/Nairobi)" in form
    assert "csrfmiddlewaretoken" in form

    response = client.post(details_url(clinic, service, practitioner), patient_details())

    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/b/{booking.token}/"
    assert booking.status == BookingStatus.PENDING
    assert booking.starts_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    assert booking.patient.phone == "+254712345678"
    assert booking.patient.email == "amina@example.com"
    assert booking.notes == "Second opinion on my results."
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting approval" in page
    assert "Your meeting link will appear here once the booking is confirmed" in page


@pytest.mark.parametrize("typed", ["0712345678", "+254712345678", "254712345678", "0112 345 678"])
def test_kenyan_phone_forms_are_accepted(client, clinic, practitioner, service, typed):
    client.post(details_url(clinic, service, practitioner), patient_details(phone=typed))
    assert Booking.objects.get().patient.phone in ("+254712345678", "+254112345678")


def test_a_bad_phone_number_is_explained_and_the_details_are_kept(client, clinic, practitioner, service):
    response = client.post(details_url(clinic, service, practitioner), patient_details(phone="12"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid" in page and "phone" in page.split("Enter a valid")[1][:30]
    assert 'value="Amina Wanjiku"' in page and "Second opinion on my results." in page
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_is_explained_and_the_details_are_kept(
    client, clinic, practitioner, service, make_booking
):
    client.get(details_url(clinic, service, practitioner))
    make_booking(datetime(2026, 3, 3, 7, 0, tzinfo=UTC), email="first@example.com")

    response = client.post(details_url(clinic, service, practitioner), patient_details())

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sorry, that slot was just taken" in page
    assert 'value="Amina Wanjiku"' in page and 'value="Amina@Example.com"' in page
    assert "Second opinion on my results." in page
    # Other times that day are offered in the same form, and picking one books it.
    assert 'value="2026-03-03T07:30:00Z"' in page
    assert 'value="2026-03-03T07:00:00Z"' not in page
    retry = client.post(details_url(clinic, service, practitioner), patient_details(slot="2026-03-03T07:30:00Z"))
    assert retry.status_code == 302
    assert Booking.objects.filter(patient__email="amina@example.com").get().starts_at.hour == 7


def test_a_time_that_is_not_offered_cannot_be_booked(client, clinic, practitioner, service):
    response = client.post(
        details_url(clinic, service, practitioner),
        patient_details(slot="2026-03-03T16:00:00Z"),  # 19:00 Nairobi
    )
    assert "not available" in response.content.decode()
    assert not Booking.objects.exists()


def test_every_form_needs_the_csrf_token(clinic, practitioner, service):
    client = Client(enforce_csrf_checks=True)
    response = client.post(details_url(clinic, service, practitioner), patient_details())
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_signed_in_patient_booking_with_their_own_email_is_linked_to_their_account(
    client, clinic, practitioner, service
):
    user = UserFactory(username="amina", email="amina@example.com")
    client.force_login(user)
    client.post(details_url(clinic, service, practitioner), patient_details())
    client.post(
        details_url(clinic, service, practitioner, "2026-03-03T08:00:00Z"),
        patient_details(slot="2026-03-03T08:00:00Z", email="someone.else@example.com"),
    )
    assert Booking.objects.get(patient__email="amina@example.com").patient.user == user
    assert Booking.objects.get(patient__email="someone.else@example.com").patient.user is None


def test_a_service_of_another_clinic_cannot_be_booked_here(client, clinic, practitioner, service):
    elsewhere = ClinicFactory(slug="elsewhere")
    response = client.post(details_url(elsewhere, service, practitioner), patient_details())
    assert response.status_code == 302 and response["Location"] == "/book/elsewhere/"
    assert not Booking.objects.exists()


def test_the_manage_link_is_unguessable(client, clinic, practitioner, service):
    client.post(details_url(clinic, service, practitioner), patient_details())
    token = Booking.objects.get().token
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)


def test_a_slot_taken_before_the_form_opens_is_explained_at_once(client, clinic, practitioner, service, make_booking):
    make_booking(datetime(2026, 3, 3, 7, 0, tzinfo=UTC), email="first@example.com")
    page = client.get(details_url(clinic, service, practitioner)).content.decode()
    assert "Sorry, that slot was just taken" in page
    assert 'value="2026-03-03T07:30:00Z"' in page
