"""The calendar invitation attached to emails: an iTIP REQUEST that updates in place, and CANCEL at the end."""

import pytest
from django.core import mail
from icalendar import Calendar

from bookings import services
from notifications.models import Channel, Kind, Message

from .scenes import START


@pytest.fixture
def confirmed(make_booking, service, messaging, web_conference, django_capture_on_commit_callbacks, clinic):
    clinic.contact_email = "desk@uhuru.example"
    clinic.save()
    return make_booking(START)


def invitation(booking, kind) -> Calendar:
    message = Message.objects.get(booking=booking, kind=kind, channel=Channel.EMAIL)
    return Calendar.from_ical(message.ics)


def event_of(calendar: Calendar):
    return calendar.walk("VEVENT")[0]


def test_the_confirmation_carries_an_itip_request_naming_the_clinic_and_the_patient(confirmed):
    calendar = invitation(confirmed, Kind.CONFIRMED)
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:desk@uhuru.example"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:achieng@example.com"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["RSVP"] == "FALSE"
    assert str(event["URL"]).split("/j/")[1].startswith("patient-")
    assert event.decoded("DTSTART") == START


def test_the_sent_email_has_the_invitation_as_text_calendar_method_request(confirmed):
    email = next(m for m in mail.outbox if m.subject.startswith("Confirmed"))
    html = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    assert html and "/j/patient-" in html[0]
    part = email.attachments[0]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert Calendar.from_ical(part.get_payload(decode=True))["METHOD"] == "REQUEST"


def test_a_reschedule_updates_the_same_event_with_a_higher_sequence(confirmed, django_capture_on_commit_callbacks):
    first = event_of(invitation(confirmed, Kind.CONFIRMED))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(booking=confirmed, starts_at=START.replace(hour=9), enforce_availability=False)
    moved = event_of(invitation(confirmed, Kind.RESCHEDULED))
    assert str(moved["UID"]) == str(first["UID"])
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved.decoded("DTSTART") == START.replace(hour=9)


def test_a_cancellation_withdraws_the_event(confirmed, django_capture_on_commit_callbacks):
    first = event_of(invitation(confirmed, Kind.CONFIRMED))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=confirmed, reason="Doctor unwell")
    calendar = invitation(confirmed, Kind.CANCELLED)
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(first["UID"]) and event["SEQUENCE"] > first["SEQUENCE"]
    body = Message.objects.get(booking=confirmed, kind=Kind.CANCELLED, channel=Channel.SMS).body
    assert "Reason: Doctor unwell." in body


def test_a_request_never_confirmed_gets_no_invitation(make_booking, service, messaging):
    service.confirmation_policy = "manual"
    service.save()
    booking = make_booking(START)
    assert Message.objects.get(booking=booking, kind=Kind.RECEIVED, channel=Channel.EMAIL).ics == ""
