"""Idempotency-Key: a retried POST answers what the first answered, and makes nothing twice."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.conftest import ApiClient
from api.models import IdempotencyRecord
from api.tests.test_bookings_api import booking_body
from bookings.models import Booking
from clinicpro.testing.race import race


def test_a_retried_create_returns_the_first_result(api, service, practitioner, slot_start):
    body = booking_body(service, practitioner, slot_start)

    first = api.post("/api/v1/bookings", body, idempotency_key="retry-me")
    again = api.post("/api/v1/bookings", body, idempotency_key="retry-me")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api, service, practitioner, slot_start):
    api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key="k")

    other = api.post(
        "/api/v1/bookings", booking_body(service, practitioner, slot_start + timedelta(hours=1)), idempotency_key="k"
    )

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_a_post_without_a_key_is_refused(api, service, practitioner, slot_start):
    response = api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key=None)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert not Booking.objects.exists()


def test_a_refusal_is_replayed_too(api, make_booking, service, practitioner, slot_start):
    make_booking(slot_start)
    body = booking_body(
        service, practitioner, slot_start, patient={"name": "B", "email": "b@x.io", "phone": "0722000000"}
    )

    first = api.post("/api/v1/bookings", body, idempotency_key="taken")
    again = api.post("/api/v1/bookings", body, idempotency_key="taken")

    assert first.status_code == again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json() == first.json()


def test_two_keys_of_two_callers_do_not_meet(api, read_key, write_key, other_key, service, practitioner, slot_start):
    theirs = ApiClient(other_key.plaintext)

    mine = api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key="same")
    their_answer = theirs.post(
        "/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key="same"
    )

    assert mine.status_code == 201
    assert their_answer.status_code == 404  # our service is not theirs: nothing replayed across clinics
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(retries=st.integers(min_value=2, max_value=6))
def test_concurrent_retries_make_one_booking(retries, clinic, practitioner, service, write_key, slot_start):
    Booking.objects.all().delete()
    IdempotencyRecord.objects.all().delete()
    body = booking_body(service, practitioner, slot_start)

    def retry():
        return ApiClient(write_key.plaintext).post("/api/v1/bookings", body, idempotency_key="storm")

    answers = race(retries, retry)

    assert Booking.objects.count() == 1
    assert [a.status_code for a in answers] == [201] * retries
    assert {a.json()["id"] for a in answers} == {Booking.objects.get().pk}


def test_answers_past_their_time_are_forgotten(api, service, practitioner, slot_start, settings):
    import time_machine

    from api.idempotency import idempotency_records_purge

    body = booking_body(service, practitioner, slot_start)
    api.post("/api/v1/bookings", body, idempotency_key="old")
    with time_machine.travel(timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS + 1)):
        purged = idempotency_records_purge()

    assert purged == 1
    assert not IdempotencyRecord.objects.exists()
