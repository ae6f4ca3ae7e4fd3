"""Booking table rows: the links filled in from one reversed URL are the ones reverse() gives each row."""

import re
from datetime import UTC, datetime

import pytest
from django.middleware.csrf import CSRF_TOKEN_LENGTH, get_token
from django.urls import reverse, set_script_prefix

from bookings.models import BookingStatus
from bookings.table_rows import RowLinks, booking_rows, render_booking_table, row_links, row_values
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


def test_the_table_escapes_what_patients_typed_and_keeps_the_status_badge_as_html(rf, db, clinic, make_booking):
    booking = make_booking(datetime(2026, 3, 5, 7, 0, tzinfo=UTC), name='<script>alert("x")</script> & Co')
    rows = booking_rows(row_values(type(booking).objects.filter(pk=booking.pk)), clinic)
    html = render_booking_table(rf.get("/"), rows, empty="No bookings.")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "<script>" not in html
    assert f'<span class="badge {booking.status}">' in html


def test_a_pending_row_approves_in_place_with_the_forms_csrf_token_and_comes_back(rf, db, clinic, make_booking):
    booking = make_booking(datetime(2026, 3, 5, 7, 0, tzinfo=UTC))
    booking.status = BookingStatus.PENDING
    booking.save()
    request = rf.get(f"/c/{clinic.slug}/bookings/?status=pending&page=2")
    get_token(request)
    rows = booking_rows(row_values(type(booking).objects.filter(pk=booking.pk)), clinic)
    html = render_booking_table(request, rows, empty="No bookings.", with_actions=True)
    assert f'<form method="post" action="/c/{clinic.slug}/bookings/{booking.pk}/approve/"' in html
    # The request's token, masked afresh for this form as {% csrf_token %} would.
    assert re.search(rf'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{{{CSRF_TOKEN_LENGTH}}}"', html)
    assert f'name="next" value="/c/{clinic.slug}/bookings/?status=pending&amp;page=2"' in html
    assert f'href="/c/{clinic.slug}/bookings/{booking.pk}/decline/">Decline…</a>' in html
    assert "Approve" not in render_booking_table(request, rows, empty="No bookings.")


def test_no_rows_say_the_tables_empty_text(rf, db):
    html = render_booking_table(rf.get("/"), [], empty="Nothing booked in the next two weeks.")
    assert html.strip() == '<p class="muted">Nothing booked in the next two weeks.</p>'
