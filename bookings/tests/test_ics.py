"""Calendar files parsed back with icalendar: the patient's invitation and the practitioner's feed."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bookings import hooks, ics, services
from bookings.models import CancelledBy, ConfirmationPolicy
from clinicpro.testing.factories import ServiceFactory

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_a_confirmed_booking_is_a_request_with_utc_times_and_the_meeting_link_everywhere(
    client, settings, make_booking, web_conference
):
    settings.SITE_URL = "https://app.clinicpro.example"
    booking = make_booking(THURSDAY_10)

    calendar = fetch(client, f"/b/{booking.token}/booking.ics")

    event = only_event(calendar)
    link = f"https://app.clinicpro.example/j/patient-{booking.pk}"
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == ics.booking_uid(booking)
    assert event["SEQUENCE"] == booking.sequence
    assert event.decoded("DTSTART") == THURSDAY_10 and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == THURSDAY_10 + timedelta(minutes=30)
    assert event["DTSTART"].to_ical() == b"20260305T070000Z"
    assert "DTSTAMP" in event
    assert str(event["URL"]) == link
    assert str(event["LOCATION"]) == link
    assert str(event["DESCRIPTION"]).splitlines()[0] == f"Join: {link}"
    conference = event["CONFERENCE"]
    assert str(conference) == link
    assert conference.params["VALUE"] == "URI" and conference.params["FEATURE"] == "VIDEO"
    assert conference.params["LABEL"] == "ClinicPro room"
    assert str(event["SUMMARY"]) == "Online consultation with Dr. Wanjiru Kamau"
    assert f"/b/{booking.token}/" in str(event["DESCRIPTION"])
    assert "/j/host-" not in client.get(f"/b/{booking.token}/booking.ics").content.decode()


def test_without_a_meeting_yet_there_is_no_link(client, make_booking, monkeypatch):
    monkeypatch.setattr(hooks, "_conference_sources", [lambda booking, role: None])
    booking = make_booking(THURSDAY_10)
    event = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))
    assert "URL" not in event and "CONFERENCE" not in event


def test_an_in_person_booking_gives_the_clinic_address_as_location(client, clinic, practitioner, make_booking):
    clinic.address = "Ngong Road 12, Nairobi"
    clinic.save()
    check_up = ServiceFactory(clinic=clinic, name="Check-up", is_online=False, practitioners=[practitioner])
    event = only_event(fetch(client, f"/b/{make_booking(THURSDAY_10, on=check_up).token}/booking.ics"))
    assert str(event["LOCATION"]) == "Ngong Road 12, Nairobi"


def test_the_uid_survives_a_reschedule_and_the_sequence_grows(client, make_booking, django_capture_on_commit_callbacks):
    booking = make_booking(THURSDAY_10)
    before = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(booking=booking, starts_at=THURSDAY_10 + timedelta(hours=2))
    after = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART") == THURSDAY_10 + timedelta(hours=2)


def test_a_cancelled_booking_is_a_cancel_with_the_same_uid_and_a_higher_sequence(
    client, make_booking, web_conference, django_capture_on_commit_callbacks
):
    booking = make_booking(THURSDAY_10)
    before = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=CancelledBy.PATIENT)
    calendar = fetch(client, f"/b/{booking.token}/booking.ics")

    event = only_event(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == before["UID"]
    assert event["SEQUENCE"] > before["SEQUENCE"]
    assert "CONFERENCE" not in event


def test_the_practitioner_feed_lists_their_active_bookings_with_host_links_and_no_phone(
    client, settings, practitioner, make_booking, web_conference, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://app.clinicpro.example"
    kept = make_booking(THURSDAY_10, name="Achieng Otieno", phone="0712 345 678")
    dropped = make_booking(THURSDAY_10 + timedelta(days=1), email="b@example.com", name="Baraka Mwangi")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=dropped)

    response = client.get(f"/feeds/{practitioner.feed_token}.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == ics.booking_uid(kept)
    assert str(event["URL"]) == f"https://app.clinicpro.example/j/host-{kept.pk}"
    assert "Achieng" in str(event["SUMMARY"])
    assert "Otieno" not in text and "712345678" not in text and "achieng@example.com" not in text
    assert "/j/patient-" not in text
    assert "METHOD" not in calendar


def test_an_unknown_feed_is_a_404(client, db):
    assert client.get("/feeds/not-a-feed.ics").status_code == 404


def test_regenerating_the_feed_address_retires_the_old_one(client, clinic, practitioner):
    old_token = practitioner.feed_token
    client.force_login(practitioner.user)
    dashboard = client.get(f"/c/{clinic.slug}/").content.decode()
    assert f"/feeds/{old_token}.ics" in dashboard

    client.post(f"/c/{clinic.slug}/calendar-feed/")

    practitioner.refresh_from_db()
    assert practitioner.feed_token != old_token
    assert client.get(f"/feeds/{old_token}.ics").status_code == 404
    assert client.get(f"/feeds/{practitioner.feed_token}.ics").status_code == 200
    assert f"/feeds/{practitioner.feed_token}.ics" in client.get(f"/c/{clinic.slug}/").content.decode()


def test_a_request_awaiting_approval_is_tentative_until_approved(
    client, clinic, practitioner, make_booking, django_capture_on_commit_callbacks
):
    manual = ServiceFactory(clinic=clinic, confirmation_policy=ConfirmationPolicy.MANUAL, practitioners=[practitioner])
    booking = make_booking(THURSDAY_10, on=manual)
    calendar = fetch(client, f"/b/{booking.token}/booking.ics")
    assert calendar["METHOD"] == "REQUEST"
    assert only_event(calendar)["STATUS"] == "TENTATIVE"

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking)

    assert only_event(fetch(client, f"/b/{booking.token}/booking.ics"))["STATUS"] == "CONFIRMED"


def test_a_booking_awaiting_payment_is_tentative(client, clinic, practitioner, make_booking):
    paid = ServiceFactory(
        clinic=clinic, price=1500, confirmation_policy=ConfirmationPolicy.PAYMENT, practitioners=[practitioner]
    )
    booking = make_booking(THURSDAY_10, on=paid)
    assert only_event(fetch(client, f"/b/{booking.token}/booking.ics"))["STATUS"] == "TENTATIVE"


def test_a_declined_request_withdraws_the_calendar_entry(
    client, clinic, practitioner, make_booking, web_conference, django_capture_on_commit_callbacks
):
    manual = ServiceFactory(clinic=clinic, confirmation_policy=ConfirmationPolicy.MANUAL, practitioners=[practitioner])
    booking = make_booking(THURSDAY_10, on=manual)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_decline(booking=booking, reason="Fully booked")

    calendar = fetch(client, f"/b/{booking.token}/booking.ics")

    event = only_event(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert "CONFERENCE" not in event and "URL" not in event


def test_a_hold_that_lapsed_withdraws_the_calendar_entry(
    client, clinic, practitioner, make_booking, django_capture_on_commit_callbacks
):
    paid = ServiceFactory(
        clinic=clinic, price=1500, confirmation_policy=ConfirmationPolicy.PAYMENT, practitioners=[practitioner]
    )
    booking = make_booking(THURSDAY_10, on=paid)
    with django_capture_on_commit_callbacks(execute=True):
        services.stale_holds_expired(now=booking.hold_expires_at + timedelta(minutes=1))

    calendar = fetch(client, f"/b/{booking.token}/booking.ics")

    assert calendar["METHOD"] == "CANCEL"
    assert only_event(calendar)["STATUS"] == "CANCELLED"


def test_the_invitation_is_itip_correct_and_its_uid_hides_the_booking_id(client, settings, make_booking, clinic):
    settings.SITE_URL = "https://app.clinicpro.example"
    booking = make_booking(THURSDAY_10, name="Achieng Otieno", email="achieng@example.com")

    calendar = fetch(client, f"/b/{booking.token}/booking.ics")

    event = only_event(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["ORGANIZER"]).startswith("mailto:") and event["ORGANIZER"].params["CN"] == clinic.name
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:achieng@example.com"
    assert attendee.params["CN"] == "Achieng Otieno" and attendee.params["PARTSTAT"] == "ACCEPTED"
    uid = str(event["UID"])
    assert uid.endswith("@app.clinicpro.example")
    assert str(booking.pk) not in uid.split("@")[0] and booking.token not in uid


def test_approval_turns_the_entry_confirmed_with_a_higher_sequence(client, make_booking, service, owner):
    service.confirmation_policy = ConfirmationPolicy.MANUAL
    service.save()
    booking = make_booking(THURSDAY_10)
    before = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))
    assert before["STATUS"] == "TENTATIVE"

    services.booking_approve(booking=booking)

    after = only_event(fetch(client, f"/b/{booking.token}/booking.ics"))
    assert after["STATUS"] == "CONFIRMED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["UID"] == before["UID"]


def test_the_practitioner_feed_names_the_organizer(client, make_booking, practitioner, clinic):
    make_booking(THURSDAY_10)
    calendar = Calendar.from_ical(client.get(f"/feeds/{practitioner.feed_token}.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == clinic.name
    assert "ATTENDEE" not in event  # the feed lives on another company's servers: no patient address
