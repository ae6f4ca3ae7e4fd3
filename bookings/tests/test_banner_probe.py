"""The dashboard's banner probe answers, in one statement, what `.exists()` answers for each queryset."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.hooks import each_has_rows
from bookings.models import Booking, BookingStatus, Patient

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
STATUSES = [BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.CANCELLED]


@pytest.fixture
def bookings(clinic, practitioner, service):
    """Six bookings, two of each status, the later of each pair online; Amina has only confirmed ones."""
    amina = Patient.objects.create(clinic=clinic, name="Amina", email="amina@example.com", phone="+254712345678")
    baraka = Patient.objects.create(clinic=clinic, name="Baraka", email="baraka@example.com", phone="+254712345679")
    for n in range(6):
        starts_at = NOW + timedelta(hours=n)
        Booking.objects.create(
            clinic=clinic,
            service=service,
            practitioner=practitioner,
            patient=amina if STATUSES[n // 2] == BookingStatus.CONFIRMED else baraka,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            blocked_from=starts_at,
            blocked_until=starts_at + timedelta(minutes=30),
            status=STATUSES[n // 2],
            is_online=bool(n % 2),
        )


def asked(status: str, online: bool, from_hour: int, without_confirmed_sibling: bool):
    """A queryset shaped like the banners' candidates: joins, ordering, a correlated exclusion."""
    rows = Booking.objects.filter(status=status, is_online=online, starts_at__gte=NOW + timedelta(hours=from_hour))
    if without_confirmed_sibling:
        confirmed = Booking.objects.filter(patient=OuterRef("patient"), status=BookingStatus.CONFIRMED)
        rows = rows.exclude(Exists(confirmed))
    return rows.select_related("patient", "service").order_by("-starts_at")


candidates = st.lists(
    st.tuples(st.sampled_from(STATUSES), st.booleans(), st.integers(0, 6), st.booleans()), min_size=1, max_size=8
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(candidates)
def test_each_answer_is_what_exists_says_of_its_queryset(bookings, candidates):
    querysets = [asked(*candidate) for candidate in candidates]
    with CaptureQueriesContext(connection) as probe:
        answers = each_has_rows(querysets)
    assert len(probe) == 1
    assert answers == tuple(rows.exists() for rows in querysets)


@pytest.mark.django_db
def test_answers_come_back_in_the_order_asked_with_empty_and_full_querysets_mixed(bookings):
    full = Booking.objects.filter(status=BookingStatus.PENDING)
    empty = Booking.objects.filter(status=BookingStatus.DECLINED)
    assert each_has_rows([empty, full, full, empty]) == (False, True, True, False)


@pytest.mark.django_db
def test_a_queryset_that_can_match_nothing_answers_no_among_the_others(bookings):
    # Django writes no SQL for these (EmptyResultSet); the probe must still answer for each.
    full = Booking.objects.filter(status=BookingStatus.PENDING)
    assert each_has_rows([Booking.objects.none(), full, Booking.objects.filter(pk__in=[])]) == (False, True, False)
    assert each_has_rows([Booking.objects.none()]) == (False,)


def test_nothing_asked_is_nothing_answered():
    assert each_has_rows([]) == ()
