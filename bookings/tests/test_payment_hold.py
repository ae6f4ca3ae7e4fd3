"""A booking held for payment: what the patient is told, and the clinic recording a payment it took."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings import hooks, services
from bookings.models import Booking, BookingStatus, ConfirmationPolicy
from bookings.signals import booking_confirmed
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, ServiceFactory, UserFactory

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def paid_service(clinic, practitioner):
    return ServiceFactory(
        clinic=clinic,
        name="Video therapy session",
        price=1500,
        confirmation_policy=ConfirmationPolicy.PAYMENT,
        practitioners=[practitioner],
    )


@pytest.fixture
def held(make_booking, paid_service):
    booking = make_booking(THURSDAY_10, on=paid_service)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    return booking


@pytest.fixture
def staff(clinic):
    return MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="desk")).user


def record_payment(client, booking, captured):
    with captured(execute=True):
        return client.post(f"/c/{booking.clinic.slug}/bookings/{booking.pk}/record-payment/")


def test_the_patient_is_told_how_long_the_time_is_held_and_what_happens_next(client, held):
    page = client.get(f"/b/{held.token}/").content.decode()

    assert "Your time is held until" in page
    assert "KES 1,500" in page
    assert "If no payment arrives by then, the time is released" in page


def test_staff_record_a_payment_taken_at_the_desk_and_the_booking_is_confirmed(
    client, held, staff, django_capture_on_commit_callbacks
):
    confirmed = []
    booking_confirmed.connect(lambda sender, booking, **kw: confirmed.append(booking.pk), weak=False, dispatch_uid="t")
    try:
        client.force_login(staff)
        response = record_payment(client, held, django_capture_on_commit_callbacks)
    finally:
        booking_confirmed.disconnect(dispatch_uid="t")

    held.refresh_from_db()
    assert response.status_code == 302
    assert held.status == BookingStatus.CONFIRMED and held.hold_expires_at is None
    assert confirmed == [held.pk]
    assert "Confirmed" in client.get(f"/b/{held.token}/").content.decode()


def test_a_late_payment_takes_the_time_back_when_it_is_still_free(
    client, held, staff, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(held.hold_expires_at + timedelta(minutes=5), tick=False)
    client.force_login(staff)

    record_payment(client, held, django_capture_on_commit_callbacks)

    held.refresh_from_db()
    assert held.status == BookingStatus.CONFIRMED


def test_the_booking_page_offers_to_record_a_payment_only_while_one_is_due(client, held, staff, make_booking):
    client.force_login(staff)
    assert "Record payment of KES 1,500" in client.get(f"/c/{held.clinic.slug}/bookings/{held.pk}/").content.decode()

    free = make_booking(THURSDAY_10 + timedelta(hours=2))
    assert "Record payment" not in client.get(f"/c/{free.clinic.slug}/bookings/{free.pk}/").content.decode()


def test_recording_a_payment_for_a_confirmed_booking_changes_nothing(
    client, held, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    record_payment(client, held, django_capture_on_commit_callbacks)
    confirmed_at = type(held).objects.get(pk=held.pk).confirmed_at

    record_payment(client, held, django_capture_on_commit_callbacks)

    assert type(held).objects.get(pk=held.pk).confirmed_at == confirmed_at


def test_the_hold_deadline_names_the_day_and_the_zone(client, held):
    page = client.get(f"/b/{held.token}/").content.decode()

    # Held for 15 minutes from Monday 09:00 in Nairobi.
    assert "Monday 2 March, 09:15" in page
    assert "09:15</strong> East Africa Time (Africa/Nairobi)" in page


def test_without_an_online_payment_option_the_patient_is_told_whom_to_pay(client, held):
    held.clinic.contact_phone = "+254700111222"
    held.clinic.save()

    page = client.get(f"/b/{held.token}/").content.decode()

    assert "To pay, please contact" in page and 'href="tel:+254700111222"' in page


def test_payment_instructions_from_the_payments_app_replace_the_contact_advice(client, held):
    def pay_by_mpesa(request, booking):
        return f"Pay KES {booking.price} with M-Pesa." if booking.status == BookingStatus.AWAITING_PAYMENT else ""

    hooks.register_payment_instructions(pay_by_mpesa)
    try:
        page = client.get(f"/b/{held.token}/").content.decode()
    finally:
        hooks._payment_instruction_sources.remove(pay_by_mpesa)

    assert "Pay KES 1500 with M-Pesa." in page
    assert "To pay, please contact" not in page


def test_a_lapsed_hold_shows_as_released_even_when_no_worker_expired_it(
    client, held, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(held.hold_expires_at + timedelta(minutes=1), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/b/{held.token}/").content.decode()

    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED
    assert "This booking was not paid in time" in page
    assert "Your time is held" not in page


@pytest.mark.django_db
def test_recording_payment_on_a_lapsed_hold_whose_time_was_taken_tells_staff_what_to_do(
    client, owner, clinic, make_booking, held, time_machine
):
    time_machine.move_to(held.hold_expires_at + timedelta(minutes=1), tick=False)
    assert services.booking_expire_if_lapsed(booking=held).status == BookingStatus.EXPIRED
    make_booking(THURSDAY_10, name="Someone Else", email="else@example.com")

    client.force_login(owner)
    page = client.post(f"/c/{clinic.slug}/bookings/{held.pk}/record-payment/", follow=True).content.decode()
    assert "someone else has booked this time since" in page
    assert "just taken" not in page
    assert "Record payment" not in page
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED
