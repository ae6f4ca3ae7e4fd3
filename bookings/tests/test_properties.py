"""Random sequences of booking operations on one practitioner keep the invariants.

- Two active bookings of the practitioner never overlap (checked in the database after every step).
- Every transition sends its signal exactly once; a refused operation sends nothing.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bookings import services
from bookings.errors import BookingError
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy, ConfirmationPolicy
from clinicpro.testing.factories import ServiceFactory

from .recorders import SignalLog

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday 09:00 Nairobi
FIRST_START = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 10:00 Nairobi, 25 hours ahead
START_CHOICES = 12  # quarter hours from FIRST_START: crowded enough that most moves collide

indexes = st.integers(min_value=0, max_value=30)
starts = st.integers(min_value=0, max_value=START_CHOICES - 1)
who = st.sampled_from([CancelledBy.PATIENT, CancelledBy.CLINIC])

book = st.tuples(st.just("book"), st.integers(0, 2), starts, st.booleans())
steps = st.one_of(
    book,
    book,  # twice as likely: most other steps need a booking to act on
    st.tuples(st.just("approve"), indexes),
    st.tuples(st.just("decline"), indexes),
    st.tuples(st.just("pay"), indexes),
    st.tuples(st.just("reschedule"), indexes, starts, who, st.booleans()),
    st.tuples(st.just("cancel"), indexes, who),
    st.tuples(st.just("expire"), st.integers(min_value=0, max_value=40)),
)


@pytest.fixture
def services_offered(clinic, practitioner):
    return [
        ServiceFactory(clinic=clinic, practitioners=[practitioner], name="Automatic", buffer_after_minutes=10),
        ServiceFactory(
            clinic=clinic,
            practitioners=[practitioner],
            name="Manual",
            duration_minutes=45,
            buffer_before_minutes=15,
            confirmation_policy=ConfirmationPolicy.MANUAL,
        ),
        ServiceFactory(
            clinic=clinic,
            practitioners=[practitioner],
            name="Paid",
            price=1000,
            confirmation_policy=ConfirmationPolicy.PAYMENT,
        ),
    ]


def snapshot() -> dict[int, tuple[str, datetime, datetime]]:
    return {
        pk: (status, start, end)
        for pk, status, start, end in Booking.objects.values_list("pk", "status", "starts_at", "ends_at")
    }


def expected_signals(before: dict, after: dict) -> Counter:
    expected: Counter = Counter()
    for pk, (status, start, _end) in after.items():
        if pk not in before:
            expected["booking_created", pk] += 1
            if status == BookingStatus.CONFIRMED:
                expected["booking_confirmed", pk] += 1
            continue
        old_status, old_start, _old_end = before[pk]
        if status != old_status:
            name = {
                BookingStatus.CONFIRMED: "booking_confirmed",
                BookingStatus.CANCELLED: "booking_cancelled",
                BookingStatus.DECLINED: "booking_declined",
                BookingStatus.EXPIRED: "booking_hold_expired",
            }[status]
            expected[name, pk] += 1
        if start != old_start:
            expected["booking_rescheduled", pk] += 1
    return expected


def assert_no_overlapping_active_bookings(practitioner) -> None:
    active = list(
        Booking.objects.filter(practitioner=practitioner, status__in=ACTIVE_STATUSES).values_list(
            "pk", "blocked_from", "blocked_until"
        )
    )
    for booking in Booking.objects.filter(practitioner=practitioner).select_related("service"):
        assert (booking.blocked_from, booking.blocked_until) == booking.blocked_range(), "blocked time is stale"
    for (a, a_from, a_until), (b, b_from, b_until) in combinations(active, 2):
        assert not (a_from < b_until and b_from < a_until), f"bookings {a} and {b} overlap"


def run_step(step: tuple, booked: list[Booking], offered: list, practitioner) -> str:
    kind, *args = step
    if kind == "book":
        service_index, start_index, enforce = args
        booked.append(
            services.booking_create(
                service=offered[service_index],
                practitioner=practitioner,
                starts_at=FIRST_START + timedelta(minutes=15 * start_index),
                patient_name="Patient",
                patient_email=f"patient{len(booked)}@example.com",
                patient_phone="0712345678",
                enforce_availability=enforce,
            )
        )
        return "done"
    if not booked:
        return "skipped"
    booking = booked[args[0] % len(booked)]
    if kind == "approve":
        services.booking_approve(booking=booking)
    elif kind == "decline":
        services.booking_decline(booking=booking)
    elif kind == "pay":
        services.booking_mark_paid(booking=booking)
    elif kind == "reschedule":
        _, start_index, by, enforce = args
        services.booking_reschedule(
            booking=booking,
            starts_at=FIRST_START + timedelta(minutes=15 * start_index),
            by=by,
            enforce_availability=enforce,
        )
    elif kind == "cancel":
        services.booking_cancel(booking=booking, by=args[1])
    return "done"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sequence=st.tuples(st.lists(book, min_size=1, max_size=4), st.lists(steps, min_size=3, max_size=25)).map(
        lambda parts: parts[0] + parts[1]
    )
)
def test_random_operations_never_double_book_and_signal_each_transition_once(
    sequence, practitioner, services_offered, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    booked: list[Booking] = []
    with transaction.atomic(), SignalLog() as log:
        for step in sequence:
            if step[0] == "expire":
                time_machine.shift(timedelta(minutes=step[1]))
            before = snapshot()
            log.clear()
            with django_capture_on_commit_callbacks(execute=True):
                try:
                    if step[0] == "expire":
                        outcome = f"done ({services.stale_holds_expired()} expired)"
                    else:
                        outcome = run_step(step, booked, services_offered, practitioner)
                except BookingError as refusal:
                    outcome = f"refused: {type(refusal).__name__}"
            after = snapshot()

            event(f"{step[0]} {outcome}")
            if outcome.startswith("refused"):
                assert after == before, step

            assert_no_overlapping_active_bookings(practitioner)
            assert log.counts() == expected_signals(before, after), step
            for sent in log.sent:
                if sent.name == "booking_cancelled":
                    assert sent.extra["was_confirmed"] == (before[sent.booking_id][0] == BookingStatus.CONFIRMED)
                if sent.name == "booking_rescheduled":
                    assert sent.extra["previous_starts_at"] == before[sent.booking_id][1]
        transaction.set_rollback(True)
