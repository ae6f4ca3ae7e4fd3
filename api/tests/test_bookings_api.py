"""The booking lifecycle through the API, by the same services the dashboards use."""

from datetime import timedelta

from bookings.models import Booking, BookingStatus, ConfirmationPolicy

OTHER_PATIENT = {"name": "Baraka Mwangi", "email": "baraka@example.com", "phone": "0722 000 000"}


def booking_body(service, practitioner, starts_at, **extra):
    return {
        "service_id": service.pk,
        "practitioner_id": practitioner.pk,
        "starts_at": starts_at.isoformat(),
        "patient": {"name": "Achieng Otieno", "email": "achieng@example.com", "phone": "0712 345 678"},
        **extra,
    }


def test_it_books_a_slot_and_answers_with_offsets(api, service, practitioner, slot_start):
    response = api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start))

    assert response.status_code == 201, response.content
    document = response.json()
    assert document["status"] == "confirmed"
    assert document["starts_at"] == slot_start.isoformat()
    assert document["starts_at"].endswith("+03:00")
    assert document["patient"]["phone"] == "+254712345678"
    assert Booking.objects.get(pk=document["id"]).starts_at == slot_start


def test_a_time_without_offset_is_refused_as_a_problem(api, service, practitioner, slot_start):
    body = booking_body(service, practitioner, slot_start.replace(tzinfo=None))

    response = api.post("/api/v1/bookings", body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_request"
    assert not Booking.objects.exists()


def test_a_taken_slot_is_a_409_problem(api, service, practitioner, slot_start):
    api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key="a")

    response = api.post(
        "/api/v1/bookings",
        booking_body(
            service, practitioner, slot_start, patient={"name": "B", "email": "b@example.com", "phone": "0722000000"}
        ),
        idempotency_key="b",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"


def test_it_approves_declines_reschedules_and_cancels(api, service, practitioner, slot_start):
    service.confirmation_policy = ConfirmationPolicy.MANUAL
    service.save()
    first = api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start), idempotency_key="1").json()
    second = api.post(
        "/api/v1/bookings", booking_body(service, practitioner, slot_start + timedelta(hours=2)), idempotency_key="2"
    ).json()
    assert first["status"] == second["status"] == "pending"

    approved = api.post(f"/api/v1/bookings/{first['id']}/approve", {}, idempotency_key="3")
    declined = api.post(f"/api/v1/bookings/{second['id']}/decline", {"reason": "Fully booked"}, idempotency_key="4")
    moved = api.post(
        f"/api/v1/bookings/{first['id']}/reschedule",
        {"starts_at": (slot_start + timedelta(hours=1)).isoformat()},
        idempotency_key="5",
    )
    cancelled = api.post(f"/api/v1/bookings/{first['id']}/cancel", {"reason": "Patient called"}, idempotency_key="6")

    assert approved.json()["status"] == "confirmed"
    assert declined.json()["status"] == "declined"
    assert declined.json()["status_reason"] == "Fully booked"
    assert moved.json()["starts_at"] == (slot_start + timedelta(hours=1)).isoformat()
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "clinic"
    assert Booking.objects.get(pk=first["id"]).status == BookingStatus.CANCELLED


def test_a_transition_the_booking_cannot_make_is_a_409_problem(api, service, practitioner, slot_start):
    booking = api.post("/api/v1/bookings", booking_body(service, practitioner, slot_start)).json()

    response = api.post(f"/api/v1/bookings/{booking['id']}/approve", {}, idempotency_key="again")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_the_list_pages_with_a_cursor_and_filters(api, make_booking, slot_start, service):
    made = [make_booking(slot_start + timedelta(hours=h), email=f"p{h}@example.com") for h in range(5)]
    made[0].status = BookingStatus.CANCELLED
    made[0].save()

    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/bookings", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    cancelled = api.get("/api/v1/bookings", status="cancelled").json()["items"]

    assert seen == [b.pk for b in reversed(made)]
    assert [item["id"] for item in cancelled] == [made[0].pk]


def test_a_read_key_may_not_write(read_key, service, practitioner, slot_start):
    from api.conftest import ApiClient

    response = ApiClient(read_key.plaintext).post("/api/v1/bookings", booking_body(service, practitioner, slot_start))

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_key"
    assert not Booking.objects.exists()


def test_slots_are_offered_in_the_clinic_offset(api, service, practitioner, slot_start):
    day = slot_start.date().isoformat()

    response = api.get(f"/api/v1/services/{service.pk}/practitioners/{practitioner.pk}/slots", start=day, end=day)

    slots = response.json()["slots"]
    assert slots[0]["starts_at"] == slot_start.replace(hour=8).isoformat()
    assert len(slots) == 18  # 08:00 to 17:00 in 30-minute steps


def test_slots_of_a_practitioner_who_does_not_offer_the_service_are_none(api, clinic, service, slot_start):
    from clinicpro.testing.factories import MembershipFactory, PractitionerFactory

    other = PractitionerFactory(membership=MembershipFactory(clinic=clinic))
    day = slot_start.date().isoformat()

    answer = api.get(f"/api/v1/services/{service.pk}/practitioners/{other.pk}/slots", start=day, end=day).json()

    assert answer["slots"] == []
    assert answer["warnings"] == ["This practitioner does not offer this service."]


def test_a_date_range_longer_than_a_month_is_refused(api, service, practitioner, slot_start):
    start = slot_start.date()

    response = api.get(
        f"/api/v1/services/{service.pk}/practitioners/{practitioner.pk}/slots",
        start=start.isoformat(),
        end=(start + timedelta(days=40)).isoformat(),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_date_range"
