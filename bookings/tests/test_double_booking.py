"""No double booking, guaranteed by PostgreSQL: real concurrent transactions race for one slot."""

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import pre_save

from bookings import services
from bookings.errors import SlotTaken
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from bookings.overlap import NO_OVERLAP_CONSTRAINT
from clinicpro.testing.factories import MembershipFactory, PatientFactory, PractitionerFactory

# Tuesday 3 March 2026, 10:00 in Nairobi.
TEN = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
ELEVEN = TEN + timedelta(hours=1)
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def race(*attempts: Callable[[], Any]) -> list[Any]:
    """Run each attempt in its own thread (so its own database connection and transaction)."""
    outcomes: list[Any] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], Any]) -> None:
        try:
            outcomes[index] = attempt()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing transaction never finished"
    return outcomes


class SaveBarrier:
    """Holds each racer's first booking save until all racers reach theirs: each has passed the
    services' own overlap check by then, so only the database can tell them apart.

    Later saves (listeners reacting to the winner's signals) pass straight through.
    """

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=20)
        self.arrived: set[int] = set()

    def __enter__(self) -> "SaveBarrier":
        pre_save.connect(self.wait, sender=Booking, weak=False, dispatch_uid="save-barrier")
        return self

    def __exit__(self, *exc: Any) -> None:
        pre_save.disconnect(sender=Booking, dispatch_uid="save-barrier")

    def wait(self, **kwargs: Any) -> None:
        if threading.get_ident() not in self.arrived:
            self.arrived.add(threading.get_ident())
            self.barrier.wait()


def attempt_to_book(service, practitioner, starts_at: datetime, email: str, **kwargs: Any) -> Callable[[], Booking]:
    # Each racer is a different patient: one patient's row would serialise the racers before they reach the slot.
    return lambda: services.booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        patient_name=email.split("@")[0].title(),
        patient_email=email,
        patient_phone="0712345678",
        now=NOW,
        **kwargs,
    )


def assert_one_won(outcomes: list[Any]) -> Booking:
    won = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    lost = [outcome for outcome in outcomes if isinstance(outcome, SlotTaken)]
    assert len(won) == 1, outcomes
    assert len(lost) == len(outcomes) - 1, outcomes
    assert all("just taken" in str(exc) for exc in lost)
    return won[0]


@pytest.mark.django_db(transaction=True)
def test_two_patients_racing_for_one_slot_get_one_booking_and_one_slot_taken(service, practitioner):
    with SaveBarrier(2):
        outcomes = race(
            attempt_to_book(service, practitioner, TEN, "amina@example.com"),
            attempt_to_book(service, practitioner, TEN, "baraka@example.com"),
        )

    winner = assert_one_won(outcomes)
    active = Booking.objects.filter(practitioner=practitioner, status__in=ACTIVE_STATUSES)
    assert list(active.values_list("pk", flat=True)) == [winner.pk]


@pytest.mark.django_db(transaction=True)
def test_overlapping_but_different_times_race_to_one_booking(service, practitioner):
    # Every pair overlaps, and each racer passes the services' check before any of them saves:
    # PostgreSQL then sees several unfinished overlapping rows at once.
    starts = [TEN + timedelta(minutes=minutes) for minutes in (0, 5, 10, 15, 20, 25)]
    with SaveBarrier(len(starts)):
        outcomes = race(
            *(
                attempt_to_book(service, practitioner, moment, f"p{i}@example.com", enforce_availability=False)
                for i, moment in enumerate(starts)
            )
        )

    assert_one_won(outcomes)
    assert Booking.objects.filter(practitioner=practitioner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_reschedule_racing_a_new_booking_leaves_one_of_them(service, practitioner):
    moving = attempt_to_book(service, practitioner, TEN, "moving@example.com")()

    with SaveBarrier(2):
        outcomes = race(
            lambda: services.booking_reschedule(booking=moving, starts_at=ELEVEN, now=NOW),
            attempt_to_book(service, practitioner, ELEVEN, "newcomer@example.com"),
        )

    assert_one_won(outcomes)
    at_eleven = Booking.objects.filter(practitioner=practitioner, starts_at=ELEVEN, status__in=ACTIVE_STATUSES)
    assert at_eleven.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racers_for_different_practitioners_both_get_their_booking(clinic, service, practitioner):
    colleague = PractitionerFactory(membership=MembershipFactory(clinic=clinic))
    service.practitioners.add(colleague)

    with SaveBarrier(2):
        outcomes = race(
            attempt_to_book(service, practitioner, TEN, "amina@example.com"),
            attempt_to_book(service, colleague, TEN, "baraka@example.com"),
        )

    assert all(isinstance(outcome, Booking) for outcome in outcomes), outcomes


# --- The constraint on its own ---------------------------------------------------------------


def insert_directly(service, practitioner, starts_at: datetime, status: str = BookingStatus.CONFIRMED) -> Booking:
    """A row written without the services, as a bug or a script might."""
    with transaction.atomic():
        return Booking.objects.create(
            clinic=service.clinic,
            service=service,
            practitioner=practitioner,
            patient=PatientFactory(clinic=service.clinic),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            status=status,
        )


def test_the_database_rejects_an_overlapping_row_written_directly(service, practitioner):
    insert_directly(service, practitioner, TEN)

    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT):
        insert_directly(service, practitioner, TEN + timedelta(minutes=29))


def test_the_database_counts_buffers_as_taken_time(service, practitioner):
    service.buffer_after_minutes = 15
    service.save()
    insert_directly(service, practitioner, TEN)

    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT):
        insert_directly(service, practitioner, TEN + timedelta(minutes=40))


def test_the_database_allows_back_to_back_bookings(service, practitioner):
    insert_directly(service, practitioner, TEN)
    insert_directly(service, practitioner, TEN + timedelta(minutes=30))

    assert Booking.objects.count() == 2


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED])
def test_the_database_ignores_bookings_that_were_called_off(service, practitioner, status):
    insert_directly(service, practitioner, TEN, status=status)
    insert_directly(service, practitioner, TEN)

    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1


def test_the_database_refuses_reviving_a_cancelled_booking_over_a_new_one(service, practitioner):
    old = insert_directly(service, practitioner, TEN, status=BookingStatus.CANCELLED)
    insert_directly(service, practitioner, TEN)

    old.status = BookingStatus.CONFIRMED
    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT), transaction.atomic():
        old.save()


def test_the_constraint_covers_exactly_the_active_statuses(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", [NO_OVERLAP_CONSTRAINT]
        )
        (definition,) = cursor.fetchone()

    assert definition.startswith("EXCLUDE USING gist (practitioner_id WITH =, tstzrange(blocked_from, blocked_until")
    assert set(re.findall(r"'(\w+)'::", definition.split("WHERE", 1)[1])) == {str(s) for s in ACTIVE_STATUSES}
