"""The patient's manage page /b/<token>/: what it shows, and cancel/reschedule within the cutoff."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.models import Booking, BookingStatus, CancelledBy, ConfirmationPolicy
from clinicpro.testing.factories import ServiceFactory

# Monday 2 March 2026, 09:00 in Nairobi; the practitioner works 08:00-17:00 every day.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)  # 10:00 Nairobi, well outside a 24-hour cutoff
TODAY_14 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 14:00 Nairobi, five hours away


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def contactable(clinic):
    clinic.contact_phone = "+254700111222"
    clinic.contact_email = "desk@uhuru.example"
    clinic.address = "Ngong Road 12, Nairobi"
    clinic.save()
    return clinic


def test_an_unknown_token_is_a_404(client, db):
    assert client.get("/b/not-a-real-token/").status_code == 404
    assert client.get("/b/not-a-real-token/booking.ics").status_code == 404


def test_it_shows_status_time_in_the_clinic_zone_and_price(client, clinic, service, make_booking):
    service.price = 2500
    service.save()
    booking = make_booking(THURSDAY_10)
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert "Confirmed" in page
    assert "Online consultation" in page and "Dr. Wanjiru Kamau" in page
    assert "Thursday 5 March 2026, 10:00–10:30" in page
    assert "East Africa Time (Africa/Nairobi)" in page
    assert "KES 2,500" in page
    assert f"/b/{booking.token}/booking.ics" in page


def test_an_online_booking_shows_its_meeting_link_once_there_is_one_and_never_the_host_link(
    client, clinic, practitioner, make_booking, web_conference
):
    manual = ServiceFactory(
        clinic=clinic, name="Therapy", confirmation_policy=ConfirmationPolicy.MANUAL, practitioners=[practitioner]
    )
    booking = make_booking(THURSDAY_10, on=manual)
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert "Awaiting approval" in page
    assert "Your meeting link will appear here once the booking is confirmed" in page

    from bookings.services import booking_approve

    booking_approve(booking=booking)
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert f"/j/patient-{booking.pk}" in page
    assert f"/j/host-{booking.pk}" not in page
    assert 'class="meeting-box"' in page


def test_an_in_person_booking_shows_the_clinic_address(client, contactable, practitioner, make_booking):
    in_person = ServiceFactory(clinic=contactable, name="Check-up", is_online=False, practitioners=[practitioner])
    booking = make_booking(THURSDAY_10, on=in_person)
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert "Ngong Road 12, Nairobi" in page
    assert "meeting link" not in page


def test_cancelling_asks_first_then_cancels(client, clinic, make_booking):
    booking = make_booking(THURSDAY_10)
    confirm = client.get(f"/b/{booking.token}/cancel/").content.decode()
    assert "Cancel this booking?" in confirm and "csrfmiddlewaretoken" in confirm
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    response = client.post(f"/b/{booking.token}/cancel/", follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == CancelledBy.PATIENT
    page = response.content.decode()
    assert "Your booking is cancelled." in page and "This booking is cancelled" in page


def test_inside_the_cutoff_the_patient_is_told_to_contact_the_clinic(client, contactable, make_booking):
    booking = make_booking(TODAY_14)
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert "Online you can reschedule or cancel until 24 hours before the appointment" in page
    assert "+254700111222" in page and "desk@uhuru.example" in page
    assert f"/b/{booking.token}/cancel/" not in page
    assert f"/b/{booking.token}/reschedule/" not in page

    response = client.post(f"/b/{booking.token}/cancel/", follow=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "contact the clinic" in response.content.decode()

    reschedule = client.get(f"/b/{booking.token}/reschedule/").content.decode()
    assert "can no longer be moved online" in reschedule and "+254700111222" in reschedule


def test_a_request_never_confirmed_can_still_be_withdrawn_inside_the_cutoff(client, clinic, practitioner, make_booking):
    manual = ServiceFactory(clinic=clinic, confirmation_policy=ConfirmationPolicy.MANUAL, practitioners=[practitioner])
    booking = make_booking(TODAY_14, on=manual)
    client.post(f"/b/{booking.token}/cancel/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_rescheduling_picks_a_new_slot_and_keeps_the_booking(client, clinic, make_booking):
    booking = make_booking(THURSDAY_10)
    picker = client.get(f"/b/{booking.token}/reschedule/?day=2026-03-06").content.decode()
    assert "Times in East Africa Time (Africa/Nairobi)" in picker
    new_slot = "2026-03-06T08:00:00Z"  # Friday 11:00 Nairobi
    assert f"/b/{booking.token}/reschedule/?slot={new_slot}" in picker

    confirm = client.get(f"/b/{booking.token}/reschedule/?slot={new_slot}").content.decode()
    assert "Friday 6 March 2026, 11:00–11:30" in confirm and "csrfmiddlewaretoken" in confirm

    response = client.post(f"/b/{booking.token}/reschedule/", {"slot": new_slot}, follow=True)

    moved = Booking.objects.get()
    assert moved.pk == booking.pk and moved.token == booking.token
    assert moved.starts_at == datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    assert moved.sequence == booking.sequence + 1
    assert "Friday 6 March 2026, 11:00" in response.content.decode()


def test_rescheduling_onto_a_taken_slot_is_refused_clearly(client, clinic, make_booking):
    booking = make_booking(THURSDAY_10)
    make_booking(THURSDAY_10 + timedelta(days=1), email="someone@example.com")
    response = client.post(f"/b/{booking.token}/reschedule/", {"slot": "2026-03-06T07:00:00Z"}, follow=True)
    booking.refresh_from_db()
    assert booking.starts_at == THURSDAY_10
    assert "Sorry, that slot was just taken" in response.content.decode()


def test_rescheduling_is_refused_inside_the_cutoff_even_when_posted_directly(client, contactable, make_booking):
    booking = make_booking(TODAY_14)
    client.post(f"/b/{booking.token}/reschedule/", {"slot": "2026-03-06T08:00:00Z"})
    booking.refresh_from_db()
    assert booking.starts_at == TODAY_14


def test_a_cancelled_booking_offers_no_changes(client, clinic, make_booking):
    booking = make_booking(THURSDAY_10)
    client.post(f"/b/{booking.token}/cancel/")
    page = client.get(f"/b/{booking.token}/").content.decode()
    assert "Cancelled" in page
    assert f"/b/{booking.token}/reschedule/" not in page
