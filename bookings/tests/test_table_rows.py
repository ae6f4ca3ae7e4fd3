"""Booking table rows: the links filled in from one reversed URL are the ones reverse() gives each row."""

import pytest
from django.urls import reverse, set_script_prefix

from bookings.models import BookingStatus
from bookings.table_rows import RowLinks, booking_rows, row_links, row_values
from clinicpro.testing.factories import ClinicFactory


@pytest.mark.parametrize("slug", ["uhuru", "0", "clinic-0", "10"])
@pytest.mark.parametrize("object_id", [0, 7, 1234567])
def test_row_links_are_what_reverse_gives(db, slug, object_id):
    links = RowLinks(slug)
    assert links.fill(links.booking, object_id) == reverse("clinic_booking", args=[slug, object_id])
    assert links.fill(links.patient, object_id) == reverse("clinic_patient", args=[slug, object_id])
    assert links.fill(links.approve, object_id) == reverse("clinic_booking_action", args=[slug, object_id, "approve"])
    assert links.fill(links.decline, object_id) == reverse("clinic_booking_decline", args=[slug, object_id])


def test_row_links_kept_for_the_process_follow_the_prefix_the_site_is_served_under(db):
    links = row_links("uhuru")
    assert links.fill(links.booking, 7) == "/c/uhuru/bookings/7/"
    set_script_prefix("/clinicpro/")
    try:
        links = row_links("uhuru")
        assert links.fill(links.booking, 7) == "/clinicpro/c/uhuru/bookings/7/"
    finally:
        set_script_prefix("/")
    links = row_links("uhuru")
    assert links.fill(links.booking, 7) == "/c/uhuru/bookings/7/"


def test_rows_show_what_was_booked_in_the_clinics_time(db, clinic, service, make_booking):
    from datetime import UTC, datetime

    booking = make_booking(datetime(2026, 3, 5, 7, 0, tzinfo=UTC))  # 10:00 in Nairobi
    service.name = "Renamed later"
    service.save()
    [row] = booking_rows(row_values(type(booking).objects.filter(pk=booking.pk)), clinic)
    assert row["when"] == "Thu 5 Mar, 10:00"
    assert row["service_label"] == "Online consultation"
    assert row["patient_name"] == booking.patient.name
    assert row["practitioner_name"] == "Dr. Wanjiru Kamau"
    assert row["status_badge"] == f'<span class="badge {booking.status}">{BookingStatus(booking.status).label}</span>'
    assert row["url"] == f"/c/{clinic.slug}/bookings/{booking.pk}/"
    assert row["patient_url"] == f"/c/{clinic.slug}/patients/{booking.patient_id}/"
    other = ClinicFactory(slug="other")
    assert booking_rows(row_values(type(booking).objects.filter(clinic=other)), other) == []
