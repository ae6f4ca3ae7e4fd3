"""Smaller things a newcomer tripped over: true messages, upcoming first, mobiles only."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from bookings import services
from bookings.forms import slot_value
from bookings.models import BookingStatus
from bookings.phones import NOT_MOBILE_MESSAGE

pytestmark = pytest.mark.django_db


def test_cancelling_an_already_cancelled_booking_says_it_is_already_cancelled(client, make_booking):
    booking = make_booking(timezone.now() + timedelta(days=5))
    services.booking_cancel(booking=booking)
    page = client.get(f"/b/{booking.token}/cancel/").content.decode()
    assert "already cancelled" in page and "can no longer be cancelled online" not in page
    followed = client.post(f"/b/{booking.token}/cancel/", follow=True).content.decode()
    assert "This booking is already cancelled." in followed


def test_rescheduling_to_the_same_time_does_not_claim_a_move(client, make_booking, owner, clinic):
    booking = make_booking((timezone.now() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0))
    same = {"slot": slot_value(booking.starts_at)}
    patient_page = client.post(f"/b/{booking.token}/reschedule/", same, follow=True).content.decode()
    assert "nothing changed" in patient_page and "moved" not in patient_page
    client.force_login(owner)
    staff_page = client.post(f"/c/{clinic.slug}/bookings/{booking.pk}/reschedule/", same, follow=True)
    assert "nothing changed" in staff_page.content.decode()
    booking.refresh_from_db()
    assert booking.sequence == 0 and booking.status == BookingStatus.CONFIRMED


def test_my_bookings_lists_coming_bookings_first_soonest_on_top(client, make_booking, owner):
    EmailAddress.objects.create(user=owner, email="achieng@example.com", verified=True)
    now = timezone.now()
    far = make_booking(now + timedelta(days=20))
    soon = make_booking(now + timedelta(days=2))
    recent = make_booking(now - timedelta(days=1))
    old = make_booking(now - timedelta(days=30))
    client.force_login(owner)
    page = client.get("/me/bookings/")
    assert [b.pk for b in page.context["page"].object_list] == [soon.pk, far.pk, recent.pk, old.pk]


@pytest.mark.parametrize("landline", ["020 2222222", "+44 20 7946 0000"])
def test_the_mobile_number_field_refuses_landlines(landline):
    from bookings.forms import PatientDetailsForm

    form = PatientDetailsForm(
        {"name": "Amina", "email": "amina@example.com", "phone": landline, "slot": "2026-03-05T07:00:00Z"}
    )
    assert not form.is_valid()
    assert form.errors["phone"] == [NOT_MOBILE_MESSAGE]


@pytest.mark.parametrize("mobile", ["0712 345 678", "0110 123 456", "+44 7911 123456", "+1 415 555 2671"])
def test_the_mobile_number_field_takes_mobiles(mobile):
    from bookings.forms import PatientDetailsForm

    form = PatientDetailsForm(
        {"name": "Amina", "email": "amina@example.com", "phone": mobile, "slot": "2026-03-05T07:00:00Z"}
    )
    assert form.is_valid(), form.errors


def test_one_same_day_rule_said_the_same_way_on_every_page(client, clinic, service, make_booking):
    from bookings.services import patient_change_rule

    service.confirmation_policy = "manual"
    service.save()
    soon = make_booking(timezone.now() + timedelta(hours=3))
    assert soon.status == BookingStatus.PENDING
    rule = patient_change_rule(clinic)

    manage = client.get(f"/b/{soon.token}/").content.decode()
    assert rule in manage
    assert f"/b/{soon.token}/cancel/" in manage  # a request can be withdrawn, and the banner agrees
    assert "to reschedule now, please contact" in manage and "cancel or reschedule now" not in manage

    services.booking_approve(booking=soon)
    confirmed = client.get(f"/b/{soon.token}/").content.decode()
    assert rule in confirmed and "cancel or reschedule now, please contact" in confirmed
    assert f"/b/{soon.token}/cancel/" not in confirmed
    assert rule in client.get(f"/b/{soon.token}/cancel/").content.decode()
    assert rule in client.get(f"/b/{soon.token}/reschedule/").content.decode()

    slot = slot_value((timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0))
    details = client.get(
        f"/book/{clinic.slug}/details/?service={service.pk}&practitioner={soon.practitioner_id}&slot={slot}"
    ).content.decode()
    assert rule in details and "changes go through the clinic" in details


def test_renaming_a_service_keeps_what_past_bookings_say_was_booked(client, owner, clinic, service, make_booking):
    booked = make_booking(timezone.now() + timedelta(days=2))
    service.name = "Video consultation (new)"
    service.save()
    assert "Online consultation" in client.get(f"/b/{booked.token}/").content.decode()
    client.force_login(owner)
    page = client.get(f"/c/{clinic.slug}/bookings/{booked.pk}/").content.decode()
    assert "Online consultation" in page and "Video consultation (new)" not in page
