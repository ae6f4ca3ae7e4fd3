"""The booking lifecycle: every transition, its signal (once, after commit), and what is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from bookings import services, signals
from bookings.errors import BookingError, InvalidTransition, OutsideCutoff, SlotTaken, SlotUnavailable
from bookings.models import Booking, BookingStatus, CancelledBy, ConfirmationPolicy, Patient
from bookings.tasks import expire_holds
from clinicpro.testing.factories import ServiceFactory

from .recorders import SignalLog

# Monday 2 March 2026, 09:00 in Nairobi; the practitioner works 08:00-17:00 every day.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TOMORROW_10 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 10:00 Nairobi
TOMORROW_11 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def log():
    with SignalLog() as recorder:
        yield recorder


@pytest.fixture
def book(django_capture_on_commit_callbacks, service, practitioner):
    def book(starts_at=TOMORROW_10, *, on=None, email="achieng@example.com", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.booking_create(
                service=on or service,
                practitioner=practitioner,
                starts_at=starts_at,
                patient_name="Achieng Otieno",
                patient_email=email,
                patient_phone=kwargs.pop("phone", "0712 345 678"),
                **kwargs,
            )

    return book


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as if in its own request, running its on-commit callbacks at the end."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def manual_service(clinic, practitioner):
    return ServiceFactory(clinic=clinic, practitioners=[practitioner], confirmation_policy=ConfirmationPolicy.MANUAL)


@pytest.fixture
def paid_service(clinic, practitioner):
    return ServiceFactory(
        clinic=clinic, practitioners=[practitioner], confirmation_policy=ConfirmationPolicy.PAYMENT, price=1500
    )


# --- Creating ----------------------------------------------------------------------


def test_an_automatic_service_confirms_at_once_and_says_so_once(book, log):
    booking = book()

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at == NOW
    assert log.names() == ["booking_created", "booking_confirmed"]
    assert {sent.booking_id for sent in log.sent} == {booking.pk}


def test_a_booking_stores_the_patient_phone_in_e164(book):
    booking = book(phone="0712 345 678")

    assert booking.patient.phone == "+254712345678"
    assert Patient.objects.get(email="achieng@example.com").phone == "+254712345678"


def test_a_returning_patient_keeps_one_record_with_the_latest_details(book):
    book(TOMORROW_10, phone="0712345678")
    second = book(TOMORROW_11, email=" Achieng@Example.com ", phone="254 110 123456")

    assert Patient.objects.filter(clinic=second.clinic).count() == 1
    assert second.patient.phone == "+254110123456"


def test_an_unreadable_phone_number_is_refused_and_nothing_is_booked(book, log):
    with pytest.raises(ValidationError, match="valid phone number"):
        book(phone="12345")

    assert not Booking.objects.exists()
    assert log.sent == []


def test_a_manual_approval_service_waits_for_the_practitioner(book, manual_service, log, committed):
    booking = book(on=manual_service)
    assert booking.status == BookingStatus.PENDING
    assert log.names() == ["booking_created"]

    log.clear()
    approved = committed(services.booking_approve, booking=booking)

    assert approved.status == BookingStatus.CONFIRMED
    assert approved.confirmed_at == NOW
    assert log.names() == ["booking_confirmed"]


def test_a_paid_service_holds_the_slot_until_payment(book, paid_service, log, committed, settings):
    settings.BOOKING_PAYMENT_HOLD_MINUTES = 20
    booking = book(on=paid_service)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert booking.hold_expires_at == NOW + timedelta(minutes=20)
    assert booking.price == 1500
    assert log.names() == ["booking_created"]

    log.clear()
    paid = committed(services.booking_mark_paid, booking=booking)
    again = committed(services.booking_mark_paid, booking=booking)

    assert paid.status == again.status == BookingStatus.CONFIRMED
    assert paid.hold_expires_at is None
    assert log.names() == ["booking_confirmed"]


def test_a_free_service_with_payment_policy_confirms_at_once(book, clinic, practitioner):
    free = ServiceFactory(
        clinic=clinic, practitioners=[practitioner], confirmation_policy=ConfirmationPolicy.PAYMENT, price=0
    )

    assert book(on=free).status == BookingStatus.CONFIRMED


def test_a_practitioner_who_does_not_offer_the_service_cannot_be_booked(book, clinic):
    other_service = ServiceFactory(clinic=clinic)

    with pytest.raises(BookingError, match="does not offer"):
        book(on=other_service)


def test_a_time_outside_working_hours_is_refused_for_patients(book, log):
    three_am = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)

    with pytest.raises(SlotUnavailable):
        book(three_am)
    assert log.sent == []


def test_staff_may_book_outside_the_offered_slots_but_never_over_another_booking(book):
    evening = datetime(2026, 3, 3, 16, 10, tzinfo=UTC)  # 19:10 Nairobi, off the grid and after hours

    booking = book(evening, enforce_availability=False)
    assert booking.starts_at == evening

    with pytest.raises(SlotTaken):
        book(evening + timedelta(minutes=10), email="other@example.com", enforce_availability=False)


def test_a_taken_slot_is_refused_with_a_clear_message(book):
    book(TOMORROW_10)

    with pytest.raises(SlotTaken, match="just taken"):
        book(TOMORROW_10, email="second@example.com")


def test_naive_times_are_refused(book):
    with pytest.raises(ValueError, match="timezone-aware"):
        book(datetime(2026, 3, 3, 10, 0))


# --- Moving through the lifecycle ----------------------------------------------------


def test_declining_a_request_frees_its_slot(book, manual_service, log, committed):
    booking = book(on=manual_service)
    log.clear()

    declined = committed(services.booking_decline, booking=booking, reason="Fully booked that morning")

    assert declined.status == BookingStatus.DECLINED
    assert declined.status_reason == "Fully booked that morning"
    assert log.names() == ["booking_declined"]
    assert book(TOMORROW_10, email="next@example.com").status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("by", [CancelledBy.CLINIC, CancelledBy.PATIENT])
def test_cancelling_a_confirmed_booking_bumps_its_sequence_and_says_it_was_confirmed(book, log, committed, by):
    booking = book()
    log.clear()

    cancelled = committed(services.booking_cancel, booking=booking, by=by, reason="Travelling")

    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancelled_by == by
    assert cancelled.cancelled_at == NOW
    assert cancelled.sequence == booking.sequence + 1
    assert [(s.name, s.extra) for s in log.sent] == [("booking_cancelled", {"was_confirmed": True})]


def test_cancelling_a_request_says_it_was_never_confirmed(book, manual_service, log, committed):
    booking = book(on=manual_service)
    log.clear()

    committed(services.booking_cancel, booking=booking, by=CancelledBy.PATIENT)

    assert [(s.name, s.extra) for s in log.sent] == [("booking_cancelled", {"was_confirmed": False})]


def test_a_stale_copy_of_the_booking_still_reports_what_the_database_knew(book, manual_service, log, committed):
    booking = book(on=manual_service)
    stale_copy = Booking.objects.get(pk=booking.pk)
    committed(services.booking_approve, booking=booking)
    log.clear()

    committed(services.booking_cancel, booking=stale_copy)

    assert log.sent[0].extra == {"was_confirmed": True}


def test_rescheduling_keeps_the_booking_and_tells_where_it_was(book, log, committed):
    booking = book(TOMORROW_10)
    log.clear()

    moved = committed(services.booking_reschedule, booking=booking, starts_at=TOMORROW_11)

    assert moved.pk == booking.pk and moved.token == booking.token
    assert moved.status == BookingStatus.CONFIRMED
    assert (moved.starts_at, moved.ends_at) == (TOMORROW_11, TOMORROW_11 + timedelta(minutes=30))
    assert moved.sequence == booking.sequence + 1
    stored = Booking.objects.get(pk=booking.pk)
    assert (stored.blocked_from, stored.blocked_until) == (TOMORROW_11, TOMORROW_11 + timedelta(minutes=30))
    assert [(s.name, s.extra) for s in log.sent] == [
        (
            "booking_rescheduled",
            {"previous_starts_at": TOMORROW_10, "previous_ends_at": TOMORROW_10 + timedelta(minutes=30)},
        )
    ]


def test_rescheduling_to_the_same_time_changes_nothing(book, log, committed):
    booking = book(TOMORROW_10)
    log.clear()

    same = committed(services.booking_reschedule, booking=booking, starts_at=TOMORROW_10)

    assert same.sequence == booking.sequence
    assert log.sent == []


def test_rescheduling_frees_the_old_time_and_refuses_a_taken_one(book, committed):
    first = book(TOMORROW_10)
    second = book(TOMORROW_11, email="second@example.com")

    with pytest.raises(SlotTaken):
        committed(services.booking_reschedule, booking=first, starts_at=TOMORROW_11)
    committed(services.booking_reschedule, booking=second, starts_at=TOMORROW_11 + timedelta(hours=1))

    assert book(TOMORROW_11, email="third@example.com").starts_at == TOMORROW_11
    assert Booking.objects.get(pk=first.pk).starts_at == TOMORROW_10


def test_rescheduling_to_an_unoffered_time_is_refused_unless_staff_say_so(book, committed):
    booking = book(TOMORROW_10)
    midnight = datetime(2026, 3, 3, 21, 0, tzinfo=UTC)

    with pytest.raises(SlotUnavailable):
        committed(services.booking_reschedule, booking=booking, starts_at=midnight)
    moved = committed(services.booking_reschedule, booking=booking, starts_at=midnight, enforce_availability=False)

    assert moved.starts_at == midnight


def test_completion_and_no_show_come_after_the_start(book, log, committed, time_machine):
    attended = book(TOMORROW_10)
    missed = book(TOMORROW_11, email="missed@example.com")
    with pytest.raises(InvalidTransition, match="before it starts"):
        committed(services.booking_complete, booking=attended)
    log.clear()

    time_machine.move_to(TOMORROW_11 + timedelta(hours=1), tick=False)
    completed = committed(services.booking_complete, booking=attended)
    no_show = committed(services.booking_mark_no_show, booking=missed)

    assert (completed.status, no_show.status) == (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
    assert log.names() == ["booking_completed", "booking_no_show"]


# --- Refused transitions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        (services.booking_approve, {}),
        (services.booking_decline, {}),
        (services.booking_mark_paid, {}),
        (services.booking_cancel, {}),
        (services.booking_reschedule, {"starts_at": TOMORROW_11}),
        (services.booking_complete, {}),
        (services.booking_mark_no_show, {}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_cancelled_booking_cannot_move_again(book, committed, log, operation, kwargs, time_machine):
    booking = committed(services.booking_cancel, booking=book())
    time_machine.move_to(TOMORROW_11 + timedelta(hours=1), tick=False)
    log.clear()

    with pytest.raises(InvalidTransition):
        committed(operation, booking=booking, **kwargs)

    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert log.sent == []


def test_a_confirmed_booking_cannot_be_approved_or_declined(book, committed):
    booking = book()
    for operation in (services.booking_approve, services.booking_decline):
        with pytest.raises(InvalidTransition, match="confirmed cannot be"):
            committed(operation, booking=booking)


def test_a_request_cannot_be_completed_or_paid(book, manual_service, committed, time_machine):
    booking = book(on=manual_service)
    time_machine.move_to(TOMORROW_11, tick=False)
    for operation in (services.booking_complete, services.booking_mark_no_show, services.booking_mark_paid):
        with pytest.raises(InvalidTransition):
            committed(operation, booking=booking)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING


# --- Payment holds ---------------------------------------------------------------------


def test_a_lapsed_hold_expires_once_and_frees_the_slot(book, paid_service, log, time_machine, committed):
    booking = book(on=paid_service)
    log.clear()
    time_machine.move_to(booking.hold_expires_at, tick=False)

    assert committed(services.stale_holds_expired) == 1
    assert committed(services.stale_holds_expired) == 0
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED
    assert log.names() == ["booking_hold_expired"]
    assert book(TOMORROW_10, email="next@example.com").status == BookingStatus.CONFIRMED


def test_the_beat_task_expires_lapsed_holds(book, paid_service, time_machine, django_capture_on_commit_callbacks):
    booking = book(on=paid_service)
    time_machine.move_to(booking.hold_expires_at + timedelta(minutes=1), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        expired = expire_holds()

    assert expired == 1
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED


def test_a_hold_that_is_still_running_is_kept(book, paid_service, committed):
    booking = book(on=paid_service)

    assert committed(services.stale_holds_expired) == 0
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.AWAITING_PAYMENT


def test_a_new_booking_over_a_lapsed_hold_expires_it_first(book, paid_service, log, time_machine):
    held = book(on=paid_service)
    time_machine.move_to(held.hold_expires_at, tick=False)
    log.clear()

    taker = book(TOMORROW_10, email="taker@example.com")

    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED
    assert [(s.name, s.booking_id) for s in log.sent] == [
        ("booking_hold_expired", held.pk),
        ("booking_created", taker.pk),
        ("booking_confirmed", taker.pk),
    ]


def test_a_late_payment_takes_the_slot_back_when_it_is_still_free(book, paid_service, committed, time_machine, log):
    held = book(on=paid_service)
    time_machine.move_to(held.hold_expires_at + timedelta(minutes=5), tick=False)
    committed(services.stale_holds_expired)
    log.clear()

    paid = committed(services.booking_mark_paid, booking=held)

    assert paid.status == BookingStatus.CONFIRMED
    assert log.names() == ["booking_confirmed"]


def test_a_late_payment_cannot_take_a_slot_someone_else_booked(book, paid_service, committed, time_machine):
    held = book(on=paid_service)
    time_machine.move_to(held.hold_expires_at + timedelta(minutes=5), tick=False)
    book(TOMORROW_10, email="taker@example.com")

    with pytest.raises(SlotTaken):
        committed(services.booking_mark_paid, booking=held)
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED


def test_a_hold_that_ran_out_cannot_be_rescheduled(book, paid_service, committed, time_machine):
    held = book(on=paid_service)
    time_machine.move_to(held.hold_expires_at, tick=False)

    with pytest.raises(InvalidTransition, match="ran out"):
        committed(services.booking_reschedule, booking=held, starts_at=TOMORROW_11)


# --- Cutoff --------------------------------------------------------------------------


@pytest.fixture
def confirmed_in_30_hours(book, clinic):
    clinic.cancellation_cutoff_hours = 24
    clinic.save()
    return book(NOW + timedelta(hours=30))  # 15:00 Nairobi tomorrow


def test_a_patient_may_cancel_before_the_cutoff(confirmed_in_30_hours, committed, time_machine):
    time_machine.move_to(NOW + timedelta(hours=5, minutes=59), tick=False)

    cancelled = committed(
        services.booking_cancel, booking=confirmed_in_30_hours, by=CancelledBy.PATIENT, reason="Clash"
    )

    assert cancelled.status == BookingStatus.CANCELLED


def test_a_patient_cannot_cancel_or_reschedule_inside_the_cutoff(confirmed_in_30_hours, committed, time_machine, log):
    time_machine.move_to(NOW + timedelta(hours=6), tick=False)
    log.clear()

    with pytest.raises(OutsideCutoff, match="contact the clinic"):
        committed(services.booking_cancel, booking=confirmed_in_30_hours, by=CancelledBy.PATIENT)
    with pytest.raises(OutsideCutoff):
        committed(
            services.booking_reschedule,
            booking=confirmed_in_30_hours,
            starts_at=confirmed_in_30_hours.starts_at + timedelta(days=1),
            by=CancelledBy.PATIENT,
        )

    assert Booking.objects.get(pk=confirmed_in_30_hours.pk).status == BookingStatus.CONFIRMED
    assert log.sent == []
    assert not services.patient_can_cancel(confirmed_in_30_hours)
    assert not services.patient_can_reschedule(confirmed_in_30_hours)


def test_the_clinic_may_always_cancel_or_reschedule(confirmed_in_30_hours, committed, time_machine):
    time_machine.move_to(NOW + timedelta(hours=29), tick=False)

    moved = committed(
        services.booking_reschedule,
        booking=confirmed_in_30_hours,
        starts_at=confirmed_in_30_hours.starts_at + timedelta(hours=1),
    )
    cancelled = committed(services.booking_cancel, booking=moved, by=CancelledBy.CLINIC)

    assert cancelled.status == BookingStatus.CANCELLED


def test_a_patient_may_withdraw_an_unconfirmed_request_at_any_time(book, manual_service, committed, time_machine):
    request = book(NOW + timedelta(hours=3), on=manual_service)
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)

    assert services.patient_can_cancel(request)
    assert not services.patient_can_reschedule(request)
    assert committed(services.booking_cancel, booking=request, by=CancelledBy.PATIENT).status == "cancelled"


# --- After commit, never on rollback ------------------------------------------------------


def test_signals_wait_for_the_commit(service, practitioner, log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=TOMORROW_10,
            patient_name="Achieng",
            patient_email="a@example.com",
            patient_phone="0712345678",
        )
        assert log.sent == []

    for callback in callbacks:
        callback()
    assert log.names() == ["booking_created", "booking_confirmed"]


def test_nothing_is_signalled_when_the_transaction_rolls_back(book, log, committed, django_capture_on_commit_callbacks):
    booking = book()
    log.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.booking_cancel(booking=booking)
        raise RuntimeError("the request failed after cancelling")

    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert log.sent == []


def test_a_failing_listener_neither_breaks_the_booking_nor_silences_the_others(book, log, caplog):
    from bookings.signals import booking_confirmed

    def broken(**kwargs):
        raise RuntimeError("listener down")

    booking_confirmed.connect(broken, weak=False)
    try:
        booking = book()
    finally:
        booking_confirmed.disconnect(broken)

    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert "booking_confirmed" in log.names()
    assert "listener down" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_signals_are_sent_once_after_a_real_commit(clinic, practitioner, service, log):
    booking = services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=TOMORROW_10,
        patient_name="Achieng",
        patient_email="a@example.com",
        patient_phone="+254712345678",
    )
    services.booking_reschedule(booking=booking, starts_at=TOMORROW_11)
    services.booking_cancel(booking=booking, by=CancelledBy.PATIENT)

    assert log.names() == ["booking_created", "booking_confirmed", "booking_rescheduled", "booking_cancelled"]
    assert not any(sent.inside_transaction for sent in log.sent)
    assert not connection.in_atomic_block


def test_durable_listeners_hear_each_change_inside_its_transaction(book):
    heard: list[tuple[str, bool]] = []

    def listener(sender, booking, event, **extra):
        heard.append((event, connection.in_atomic_block))

    signals.booking_changing.connect(listener, weak=False)
    try:
        book()
    finally:
        signals.booking_changing.disconnect(listener)

    assert heard == [("created", True), ("confirmed", True)]


def test_a_failing_durable_listener_rolls_the_change_back(book):
    def listener(sender, booking, event, **extra):
        raise RuntimeError("outbox unavailable")

    signals.booking_changing.connect(listener, weak=False)
    try:
        with pytest.raises(RuntimeError):
            book()
    finally:
        signals.booking_changing.disconnect(listener)

    assert not Booking.objects.exists()
