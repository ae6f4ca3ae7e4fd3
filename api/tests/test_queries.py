"""A page of bookings costs the same queries however many bookings it shows."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_listing_bookings_costs_constant_queries(api, make_booking, slot_start):
    make_booking(slot_start, email="first@example.com")
    api.get("/api/v1/bookings")  # the key's last-used time is written on this first call
    few = queries_for(api, "/api/v1/bookings")
    for hour in range(1, 8):
        make_booking(slot_start + timedelta(hours=hour), email=f"p{hour}@example.com")

    many = queries_for(api, "/api/v1/bookings")

    assert many == few


def test_listing_services_and_practitioners_costs_constant_queries(api, clinic, service, practitioner):
    from clinicpro.testing.factories import ServiceFactory

    api.get("/api/v1/services")  # the key's last-used time is written on this first call
    services_before = queries_for(api, "/api/v1/services")
    practitioners_before = queries_for(api, "/api/v1/practitioners")
    ServiceFactory.create_batch(5, clinic=clinic, practitioners=[practitioner])

    assert queries_for(api, "/api/v1/services") == services_before
    assert queries_for(api, "/api/v1/practitioners") == practitioners_before
