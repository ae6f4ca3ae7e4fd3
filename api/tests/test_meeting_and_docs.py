"""The booking's meeting through the API, and the API's own documents."""

import re

from django.test import Client

from api.conftest import ApiClient


def test_a_staff_key_sees_both_links_and_a_patient_key_never_the_host_link(
    make_booking, slot_start, write_key, patient_app_key
):
    booking = make_booking(slot_start)

    staff = ApiClient(write_key.plaintext).get(f"/api/v1/bookings/{booking.pk}/meeting").json()
    patient = ApiClient(patient_app_key.plaintext).get(f"/api/v1/bookings/{booking.pk}/meeting")

    assert staff["host_join_url"] and staff["join_url"] != staff["host_join_url"]
    assert patient.json()["join_url"] == staff["join_url"]
    assert patient.json()["host_join_url"] is None
    assert staff["host_join_url"] not in patient.content.decode()
    assert [m["is_current"] for m in staff["history"]] == [True]


def test_an_in_person_booking_has_no_meeting(make_booking, slot_start, service, api):
    service.is_online = False
    service.save()
    booking = make_booking(slot_start)

    response = api.get(f"/api/v1/bookings/{booking.pk}/meeting")

    assert response.status_code == 404
    assert response.json()["code"] == "no_meeting"


def test_the_openapi_document_is_3_1_and_errors_are_problem_json(db):
    document = Client().get("/api/v1/openapi.json").json()

    assert document["openapi"].startswith("3.1")
    responses = document["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert set(responses["409"]["content"]) == {"application/problem+json"}
    assert set(responses["201"]["content"]) == {"application/json"}


def test_the_interactive_docs_load_everything_from_this_site(db):
    page = Client().get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)

    assert assets and all(url.startswith("/static/") for url in assets)
    for url in assets:
        assert Client().get(url).status_code == 200, url
