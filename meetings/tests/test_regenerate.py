"""Owners regenerate a booking's meeting: a new room, the same join links, the reason audited."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from bookings import services as booking_services
from bookings.models import CancelledBy
from clinicpro.testing.factories import PASSWORD
from meetings.models import JoinLink, JoinRole, Meeting, MeetingEvent, MeetingStatus

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
STARTS_AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def booked(django_capture_on_commit_callbacks, service, practitioner):
    with django_capture_on_commit_callbacks(execute=True):
        return booking_services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=STARTS_AT,
            patient_name="Achieng Otieno",
            patient_email="achieng@example.com",
            patient_phone="0712 345 678",
            enforce_availability=False,
        )


def regenerate_url(booking):
    return reverse("clinic_meeting_regenerate", args=[booking.clinic.slug, booking.pk])


def as_user(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def tokens(booking):
    return dict(JoinLink.objects.filter(booking=booking).values_list("role", "token"))


def test_regenerating_makes_a_new_room_behind_the_same_join_links(
    client, owner, booked, django_capture_on_commit_callbacks, time_machine
):
    before = Meeting.objects.get(booking=booked, is_current=True)
    links_before = tokens(booked)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, owner).post(regenerate_url(booked), {"reason": "Patient could not get in"})

    assert response.status_code == 302
    after = Meeting.objects.get(booking=booked, is_current=True)
    before.refresh_from_db()
    assert after.pk != before.pk
    assert after.status == MeetingStatus.ACTIVE
    assert after.external_id != before.external_id
    assert (before.is_current, before.status) == (False, MeetingStatus.CANCELLED)
    assert tokens(booked) == links_before

    time_machine.move_to(STARTS_AT, tick=False)
    joined = client.get(reverse("meeting_join", args=[links_before[JoinRole.PATIENT]]))
    assert joined["Location"] == after.join_url


def test_the_reason_and_who_asked_are_audited(client, owner, booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(client, owner).post(regenerate_url(booked), {"reason": "Patient could not get in"})

    event = MeetingEvent.objects.get(booking=booked, action="regenerate")
    assert event.actor == f"user:{owner.pk}"
    assert "Patient could not get in" in event.detail
    page = client.get(reverse("clinic_booking", args=[booked.clinic.slug, booked.pk])).text
    assert "Patient could not get in" in page
    assert owner.email in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(client, owner, booked, reason):
    before = Meeting.objects.get(booking=booked, is_current=True)

    response = as_user(client, owner).post(regenerate_url(booked), {"reason": reason}, follow=True)

    assert "Please say why the meeting should be made again" in response.text
    assert Meeting.objects.get(booking=booked, is_current=True) == before
    assert not MeetingEvent.objects.filter(booking=booked, action="regenerate").exists()


def test_a_cancelled_booking_cannot_be_regenerated(client, owner, booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=booked, by=CancelledBy.CLINIC)

    response = as_user(client, owner).post(regenerate_url(booked), {"reason": "Try again"}, follow=True)

    assert "Only a confirmed online booking has a meeting to regenerate" in response.text
    assert not MeetingEvent.objects.filter(booking=booked, action="regenerate").exists()


def test_a_practitioner_may_not_regenerate(client, practitioner, booked):
    response = as_user(client, practitioner.user).post(regenerate_url(booked), {"reason": "Because"})

    assert response.status_code == 403
    assert not MeetingEvent.objects.filter(booking=booked, action="regenerate").exists()


def test_another_clinics_owner_gets_404(client, stranger, booked):
    response = as_user(client, stranger).post(regenerate_url(booked), {"reason": "Because"})

    assert response.status_code == 404
    assert not MeetingEvent.objects.filter(booking=booked, action="regenerate").exists()


def test_regenerate_takes_posts_only(client, owner, booked):
    assert as_user(client, owner).get(regenerate_url(booked)).status_code == 405


def test_regenerating_twice_keeps_every_earlier_meeting_as_history(
    client, owner, booked, django_capture_on_commit_callbacks
):
    as_user(client, owner)
    for reason in ("First try", "Second try"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(regenerate_url(booked), {"reason": reason})

    meetings = Meeting.objects.filter(booking=booked)
    assert meetings.count() == 3
    assert meetings.filter(is_current=True).count() == 1
    details = (
        MeetingEvent.objects.filter(booking=booked, action="regenerate").order_by("id").values_list("detail", flat=True)
    )
    assert ["First try" in details[0], "Second try" in details[1]] == [True, True]


def test_the_new_room_opens_only_inside_the_window(
    client, owner, booked, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(client, owner).post(regenerate_url(booked), {"reason": "Fresh room"})
    patient_token = tokens(booked)[JoinRole.PATIENT]

    time_machine.move_to(STARTS_AT - timedelta(hours=1), tick=False)
    assert client.get(reverse("meeting_join", args=[patient_token])).status_code == 200
