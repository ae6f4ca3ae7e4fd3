"""Which slots a patient is offered."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import hooks
from bookings.availability import (
    CALENDAR_SYNC_WARNING,
    Slot,
    available_slots,
    is_slot_available,
    search_slots,
)
from bookings.hooks import BusyInterval
from bookings.models import AvailabilityException, Booking, BookingStatus, WorkingHours
from clinicpro.testing.factories import (
    ClinicFactory,
    MembershipFactory,
    PatientFactory,
    PractitionerFactory,
    ServiceFactory,
)

NAIROBI = ZoneInfo("Africa/Nairobi")
# Monday 2 March 2026, 06:00 in Nairobi: before the practitioner starts at 08:00.
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NAIROBI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def local_starts(slots: list[Slot], zone: ZoneInfo = NAIROBI) -> list[str]:
    return [f"{slot.starts_at.astimezone(zone):%H:%M}" for slot in slots]


def slots_on(service, practitioner, day: date, now: datetime = NOW) -> list[Slot]:
    return available_slots(service=service, practitioner=practitioner, start=day, end=day, now=now)


def book_directly(service, practitioner, starts_at: datetime, status=BookingStatus.CONFIRMED, **fields) -> Booking:
    """An existing booking, as the lifecycle services would have left it."""
    return Booking.objects.create(
        clinic=service.clinic,
        service=service,
        practitioner=practitioner,
        patient=PatientFactory(clinic=service.clinic),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        status=status,
        **fields,
    )


@pytest.fixture
def no_busy_sources(monkeypatch):
    monkeypatch.setattr(hooks, "_busy_sources", [])


# --- The working day ------------------------------------------------------------------


def test_a_day_offers_every_half_hour_of_working_time(service, practitioner):
    slots = slots_on(service, practitioner, MONDAY)

    assert local_starts(slots)[:3] == ["08:00", "08:30", "09:00"]
    assert local_starts(slots)[-1] == "16:30"
    assert len(slots) == 18
    assert all(slot.starts_at.tzinfo == UTC for slot in slots)
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=30) for slot in slots)


def test_a_date_range_includes_both_ends_in_time_order(service, practitioner):
    slots = available_slots(service=service, practitioner=practitioner, start=MONDAY, end=TUESDAY, now=NOW)

    assert len(slots) == 36
    assert slots == sorted(slots)
    assert slots[-1].starts_at == local(TUESDAY, 16, 30)


def test_longer_services_step_by_their_duration(clinic, practitioner):
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner], duration_minutes=45)

    assert local_starts(slots_on(service, practitioner, MONDAY))[:4] == ["08:00", "08:45", "09:30", "10:15"]
    assert local_starts(slots_on(service, practitioner, MONDAY))[-1] == "16:15"


def test_short_services_step_on_a_quarter_hour_grid(clinic, practitioner):
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner], duration_minutes=10)

    slots = slots_on(service, practitioner, MONDAY)

    assert local_starts(slots)[:3] == ["08:00", "08:15", "08:30"]
    assert local_starts(slots)[-1] == "16:45"
    assert slots[0].ends_at - slots[0].starts_at == timedelta(minutes=10)


def test_a_day_without_working_hours_offers_nothing(clinic):
    membership = MembershipFactory(clinic=clinic)
    practitioner = PractitionerFactory(membership=membership, with_hours=False)
    WorkingHours.objects.create(practitioner=practitioner, weekday=0, start_time=time(9), end_time=time(12))
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner])

    assert len(slots_on(service, practitioner, MONDAY)) == 6
    assert slots_on(service, practitioner, TUESDAY) == []


def test_split_shifts_offer_both_parts(clinic):
    practitioner = PractitionerFactory(membership=MembershipFactory(clinic=clinic), with_hours=False)
    WorkingHours.objects.create(practitioner=practitioner, weekday=0, start_time=time(8), end_time=time(9))
    WorkingHours.objects.create(practitioner=practitioner, weekday=0, start_time=time(14), end_time=time(15))
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner])

    assert local_starts(slots_on(service, practitioner, MONDAY)) == ["08:00", "08:30", "14:00", "14:30"]


def test_inactive_services_and_practitioners_offer_nothing(service, practitioner):
    service.is_active = False
    assert slots_on(service, practitioner, MONDAY) == []
    service.is_active = True
    practitioner.is_active = False
    assert slots_on(service, practitioner, MONDAY) == []


# --- Notice and horizon --------------------------------------------------------------


def test_minimum_notice_hides_slots_that_start_too_soon(service, practitioner):
    service.min_notice_minutes = 120
    ten_past_nine = local(MONDAY, 9, 10).astimezone(UTC)

    slots = slots_on(service, practitioner, MONDAY, now=ten_past_nine)

    assert local_starts(slots)[0] == "11:30"


def test_the_past_is_never_offered(service, practitioner):
    assert slots_on(service, practitioner, date(2026, 3, 1)) == []
    assert local_starts(slots_on(service, practitioner, MONDAY, now=local(MONDAY, 12, 1)))[0] == "12:30"


def test_the_horizon_ends_after_its_last_whole_day(service, practitioner):
    service.horizon_days = 14
    last = MONDAY + timedelta(days=14)

    assert len(slots_on(service, practitioner, last)) == 18
    assert slots_on(service, practitioner, last + timedelta(days=1)) == []
    slots = available_slots(service=service, practitioner=practitioner, start=MONDAY, end=MONDAY + timedelta(days=90))
    assert slots == [] or max(slot.starts_at for slot in slots) < local(last + timedelta(days=1), 0)


# --- Exceptions ------------------------------------------------------------------------


def test_a_whole_day_off_offers_nothing(service, practitioner):
    AvailabilityException.objects.create(practitioner=practitioner, date=MONDAY, kind="time_off", note="Conference")

    assert slots_on(service, practitioner, MONDAY) == []
    assert len(slots_on(service, practitioner, TUESDAY)) == 18


def test_partial_time_off_removes_only_those_hours(service, practitioner):
    AvailabilityException.objects.create(
        practitioner=practitioner, date=MONDAY, kind="time_off", start_time=time(12), end_time=time(14, 15)
    )

    starts = local_starts(slots_on(service, practitioner, MONDAY))

    assert "11:30" in starts and "14:30" in starts  # the afternoon stays on the day's half-hour grid
    assert not {"12:00", "12:30", "13:00", "13:30", "14:00", "14:15"} & set(starts)


def test_time_off_from_a_time_runs_to_the_end_of_the_day(service, practitioner):
    AvailabilityException.objects.create(practitioner=practitioner, date=MONDAY, kind="time_off", start_time=time(13))

    assert local_starts(slots_on(service, practitioner, MONDAY))[-1] == "12:30"


def test_extra_hours_open_a_day_that_is_normally_closed(clinic):
    practitioner = PractitionerFactory(membership=MembershipFactory(clinic=clinic), with_hours=False)
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner])
    saturday = date(2026, 3, 7)
    AvailabilityException.objects.create(
        practitioner=practitioner, date=saturday, kind="extra", start_time=time(10), end_time=time(11)
    )

    assert local_starts(slots_on(service, practitioner, saturday)) == ["10:00", "10:30"]
    assert slots_on(service, practitioner, saturday + timedelta(days=7)) == []


def test_extra_hours_extend_a_working_day(service, practitioner):
    AvailabilityException.objects.create(
        practitioner=practitioner, date=MONDAY, kind="extra", start_time=time(17), end_time=time(19)
    )

    assert local_starts(slots_on(service, practitioner, MONDAY))[-1] == "18:30"
    assert len(slots_on(service, practitioner, MONDAY)) == 22


# --- Existing bookings and buffers -------------------------------------------------------


def test_a_booked_slot_is_not_offered_again(service, practitioner):
    book_directly(service, practitioner, local(MONDAY, 10))

    starts = local_starts(slots_on(service, practitioner, MONDAY))

    assert "10:00" not in starts
    assert {"09:30", "10:30"} <= set(starts)


def test_another_services_booking_blocks_overlapping_slots(clinic, service, practitioner):
    long_service = ServiceFactory(clinic=clinic, practitioners=[practitioner], duration_minutes=50)
    book_directly(long_service, practitioner, local(MONDAY, 9, 50))

    starts = local_starts(slots_on(service, practitioner, MONDAY))

    assert "09:30" not in starts and "10:00" not in starts and "10:30" not in starts
    assert {"09:00", "11:00"} <= set(starts)


def test_buffers_keep_room_around_existing_bookings(clinic, service, practitioner):
    buffered = ServiceFactory(
        clinic=clinic, practitioners=[practitioner], buffer_before_minutes=10, buffer_after_minutes=15
    )
    book_directly(buffered, practitioner, local(MONDAY, 10))  # blocks 09:50-10:45

    starts = local_starts(slots_on(service, practitioner, MONDAY))

    assert "09:30" not in starts and "10:30" not in starts
    assert {"09:00", "11:00"} <= set(starts)


def test_a_new_slot_needs_room_for_its_own_buffers(clinic, service, practitioner):
    buffered = ServiceFactory(
        clinic=clinic, practitioners=[practitioner], buffer_before_minutes=0, buffer_after_minutes=15
    )
    book_directly(service, practitioner, local(MONDAY, 11))

    starts = local_starts(slots_on(buffered, practitioner, MONDAY))

    assert "10:30" not in starts  # its buffer would run into the 11:00 booking
    assert {"10:00", "11:30"} <= set(starts)


def test_buffers_may_reach_outside_working_hours(clinic, practitioner):
    buffered = ServiceFactory(
        clinic=clinic, practitioners=[practitioner], buffer_before_minutes=15, buffer_after_minutes=15
    )

    starts = local_starts(slots_on(buffered, practitioner, MONDAY))

    assert starts[0] == "08:00" and starts[-1] == "16:30"


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.COMPLETED])
def test_active_bookings_block_their_time(service, practitioner, status):
    book_directly(service, practitioner, local(MONDAY, 10), status=status)

    assert "10:00" not in local_starts(slots_on(service, practitioner, MONDAY))


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED])
def test_bookings_that_were_called_off_free_their_time(service, practitioner, status):
    book_directly(service, practitioner, local(MONDAY, 10), status=status)

    assert "10:00" in local_starts(slots_on(service, practitioner, MONDAY))


def test_a_running_payment_hold_blocks_its_slot(service, practitioner):
    book_directly(
        service,
        practitioner,
        local(MONDAY, 10),
        status=BookingStatus.AWAITING_PAYMENT,
        hold_expires_at=NOW + timedelta(minutes=1),
    )

    assert "10:00" not in local_starts(slots_on(service, practitioner, MONDAY))


def test_a_lapsed_payment_hold_frees_its_slot_before_anything_expires_it(service, practitioner):
    book_directly(service, practitioner, local(MONDAY, 10), status=BookingStatus.AWAITING_PAYMENT, hold_expires_at=NOW)

    assert "10:00" in local_starts(slots_on(service, practitioner, MONDAY))


def test_another_practitioners_bookings_do_not_matter(clinic, service, practitioner):
    colleague = PractitionerFactory(membership=MembershipFactory(clinic=clinic))
    service.practitioners.add(colleague)
    book_directly(service, colleague, local(MONDAY, 10))

    assert "10:00" in local_starts(slots_on(service, practitioner, MONDAY))


def test_bookings_are_read_in_one_query_however_many_there_are(service, practitioner, no_busy_sources):
    def queries_for_a_fortnight() -> int:
        with CaptureQueriesContext(connection) as captured:
            available_slots(
                service=service, practitioner=practitioner, start=MONDAY, end=MONDAY + timedelta(days=13), now=NOW
            )
        return len(captured)

    before = queries_for_a_fortnight()
    for day in range(14):
        for hour in (9, 11, 14):
            book_directly(service, practitioner, local(MONDAY + timedelta(days=day), hour))
    after = queries_for_a_fortnight()

    assert before == after <= 4
    assert len(available_slots(service=service, practitioner=practitioner, start=MONDAY, end=MONDAY, now=NOW)) == 15


# --- External busy times -----------------------------------------------------------------


def test_external_busy_times_are_not_offered(service, practitioner, no_busy_sources):
    asked = []

    @hooks.register_busy_source
    def calendar(who, start, end):
        asked.append((who, start, end))
        return [BusyInterval(start=local(MONDAY, 12, 15), end=local(MONDAY, 13))]

    search = search_slots(service=service, practitioner=practitioner, start=MONDAY, end=MONDAY, now=NOW)

    starts = local_starts(search.slots)
    assert "12:00" not in starts and "12:30" not in starts
    assert {"11:30", "13:00"} <= set(starts)
    assert search.warnings == [] and not search.calendar_sync_failed
    assert asked[0][0] == practitioner
    assert asked[0][1] <= local(MONDAY, 8) and asked[0][2] >= local(MONDAY, 17)


def test_a_failing_calendar_never_blocks_booking_and_is_reported(service, practitioner, no_busy_sources, caplog):
    @hooks.register_busy_source
    def broken_calendar(who, start, end):
        raise ConnectionError("calendar API unreachable")

    @hooks.register_busy_source
    def working_calendar(who, start, end):
        return [BusyInterval(start=local(MONDAY, 8), end=local(MONDAY, 9))]

    with caplog.at_level(logging.ERROR, logger="bookings.hooks"):
        search = search_slots(service=service, practitioner=practitioner, start=MONDAY, end=MONDAY, now=NOW)

    assert local_starts(search.slots)[0] == "09:00"
    assert search.calendar_sync_failed
    assert search.warnings == [CALENDAR_SYNC_WARNING]
    assert "broken_calendar" in caplog.text and "calendar API unreachable" in caplog.text


def test_a_booking_being_moved_is_not_blocked_by_its_own_calendar_event(service, practitioner, no_busy_sources):
    moving = book_directly(service, practitioner, local(MONDAY, 10))

    @hooks.register_busy_source
    def calendar(who, start, end):
        # The booking's own event, merged with an unrelated meeting right after it.
        return [BusyInterval(start=local(MONDAY, 10), end=local(MONDAY, 11, 30))]

    moving_search = search_slots(
        service=service, practitioner=practitioner, start=MONDAY, end=MONDAY, now=NOW, exclude_booking_id=moving.pk
    )
    fresh_search = search_slots(service=service, practitioner=practitioner, start=MONDAY, end=MONDAY, now=NOW)

    assert "10:00" in local_starts(moving_search.slots)
    assert "10:30" not in local_starts(moving_search.slots)
    assert "11:00" not in local_starts(moving_search.slots)
    assert "10:00" not in local_starts(fresh_search.slots)


# --- is_slot_available --------------------------------------------------------------------


def test_only_offered_slots_are_available(service, practitioner):
    book_directly(service, practitioner, local(MONDAY, 10))

    def available(moment: datetime) -> bool:
        return is_slot_available(service=service, practitioner=practitioner, starts_at=moment, now=NOW)

    assert available(local(MONDAY, 9, 30))
    assert not available(local(MONDAY, 10))  # booked
    assert not available(local(MONDAY, 9, 40))  # off the grid
    assert not available(local(MONDAY, 7, 30))  # before hours
    assert not available(local(MONDAY, 16, 45))  # would end after hours


def test_a_booking_being_moved_does_not_block_itself(service, practitioner):
    booking = book_directly(service, practitioner, local(MONDAY, 10))

    assert is_slot_available(
        service=service, practitioner=practitioner, starts_at=local(MONDAY, 10), now=NOW, exclude_booking_id=booking.pk
    )


# --- Time zones and daylight saving time --------------------------------------------------


def practitioner_in(zone: str, *, weekday_hours: tuple[time, time] = (time(9), time(17))):
    clinic = ClinicFactory(timezone=zone)
    practitioner = PractitionerFactory(membership=MembershipFactory(clinic=clinic), with_hours=False)
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=practitioner, weekday=weekday, start_time=weekday_hours[0], end_time=weekday_hours[1]
        )
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner], duration_minutes=60, horizon_days=365)
    return practitioner, service


# (zone, last day before the change, first day after it)
DST_CHANGES = [
    pytest.param("Europe/London", date(2026, 3, 28), date(2026, 3, 29), id="london-spring-forward"),
    pytest.param("Europe/London", date(2026, 10, 24), date(2026, 10, 25), id="london-fall-back"),
    pytest.param("America/New_York", date(2026, 3, 7), date(2026, 3, 8), id="new-york-spring-forward"),
    pytest.param("America/New_York", date(2026, 10, 31), date(2026, 11, 1), id="new-york-fall-back"),
]


@pytest.mark.parametrize(("zone", "before", "after"), DST_CHANGES)
def test_nine_oclock_stays_nine_oclock_across_a_dst_change(db, zone, before, after):
    practitioner, service = practitioner_in(zone)
    tz = ZoneInfo(zone)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    slots_before = slots_on(service, practitioner, before, now=now)
    slots_after = slots_on(service, practitioner, after, now=now)

    assert local_starts(slots_before, tz) == local_starts(slots_after, tz) == [f"{h:02}:00" for h in range(9, 17)]
    offset_change = tz.utcoffset(datetime.combine(after, time(12))) - tz.utcoffset(datetime.combine(before, time(12)))
    assert offset_change in (timedelta(hours=1), timedelta(hours=-1))
    assert slots_after[0].starts_at - slots_before[0].starts_at == timedelta(days=1) - offset_change


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_the_practitioners_zone_is_the_clinics_unless_they_set_their_own(db, zone):
    practitioner, service = practitioner_in(zone)

    assert slots_on(service, practitioner, MONDAY, now=NOW)[0].starts_at == local(MONDAY, 9, zone=ZoneInfo(zone))
    practitioner.timezone = "Africa/Nairobi"
    assert slots_on(service, practitioner, MONDAY, now=NOW)[0].starts_at == local(MONDAY, 9)


def test_a_window_across_the_spring_gap_offers_real_hours(db):
    # New York, 8 March 2026: clocks jump from 02:00 to 03:00.
    practitioner, service = practitioner_in("America/New_York", weekday_hours=(time(0), time(5)))
    ny = ZoneInfo("America/New_York")

    slots = slots_on(service, practitioner, date(2026, 3, 8), now=datetime(2026, 1, 1, tzinfo=UTC))

    assert local_starts(slots, ny) == ["00:00", "01:00", "03:00", "04:00"]
    assert all(slot.ends_at - slot.starts_at == timedelta(hours=1) for slot in slots)


def test_a_window_starting_inside_the_spring_gap_opens_when_the_clock_resumes(db):
    practitioner, service = practitioner_in("America/New_York", weekday_hours=(time(2, 30), time(6)))
    ny = ZoneInfo("America/New_York")

    slots = slots_on(service, practitioner, date(2026, 3, 8), now=datetime(2026, 1, 1, tzinfo=UTC))

    assert local_starts(slots, ny) == ["03:30", "04:30"]


def test_a_window_across_the_autumn_overlap_offers_the_repeated_hour_twice(db):
    # London, 25 October 2026: clocks go back from 02:00 BST to 01:00 GMT.
    practitioner, service = practitioner_in("Europe/London", weekday_hours=(time(0), time(3)))
    london = ZoneInfo("Europe/London")

    slots = slots_on(service, practitioner, date(2026, 10, 25), now=datetime(2026, 1, 1, tzinfo=UTC))

    assert local_starts(slots, london) == ["00:00", "01:00", "01:00", "02:00"]
    assert [slot.starts_at.hour for slot in slots] == [23, 0, 1, 2]
    assert len(set(slots)) == 4


def test_an_ambiguous_start_is_its_first_occurrence(db):
    practitioner, service = practitioner_in("America/New_York", weekday_hours=(time(1, 30), time(3, 30)))

    slots = slots_on(service, practitioner, date(2026, 11, 1), now=datetime(2026, 1, 1, tzinfo=UTC))

    # 01:30 EDT is 05:30 UTC; the window runs to 03:30 EST (08:30 UTC): three real hours.
    assert [slot.starts_at for slot in slots] == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
    ]


def test_time_off_on_a_dst_day_removes_the_whole_local_day(db):
    practitioner, service = practitioner_in("Europe/London", weekday_hours=(time(0), time(23)))
    AvailabilityException.objects.create(practitioner=practitioner, date=date(2026, 3, 29), kind="time_off")
    now = datetime(2026, 1, 1, tzinfo=UTC)

    assert slots_on(service, practitioner, date(2026, 3, 29), now=now) == []
    assert len(slots_on(service, practitioner, date(2026, 3, 30), now=now)) == 23
