"""Reminders: due at their moment in real hours, once, for the booking's current time, never for a cancelled one."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bookings import services
from notifications.models import Channel, Kind, Message
from notifications.reminders import reminders_plan

# 30 March 2031 is the night British clocks go forward: 10:00 BST that day is 09:00 UTC.
START = datetime(2031, 3, 30, 9, 0, tzinfo=UTC)
DAY_BEFORE = START - timedelta(hours=24)  # 09:00 GMT on the 29th, a wall-clock 25 hours earlier


@pytest.fixture
def london(clinic, messaging):
    clinic.timezone = "Europe/London"
    clinic.save()
    return clinic


@pytest.fixture
def booked(london, make_booking):
    with time_machine.travel(START - timedelta(days=10), tick=False):
        return make_booking(START)


def reminders(booking, channel=Channel.SMS):
    return list(Message.objects.filter(booking=booking, kind=Kind.REMINDER, channel=channel))


def test_the_day_before_reminder_is_due_24_real_hours_before_across_the_clock_change(booked):
    assert reminders_plan(now=DAY_BEFORE - timedelta(minutes=1)) == 0
    assert reminders(booked) == []
    assert reminders_plan(now=DAY_BEFORE) == 1
    [sms] = reminders(booked)
    assert "tomorrow" in sms.body and "Sun 30 Mar, 10:00 BST" in sms.body
    email = reminders(booked, Channel.EMAIL)[0]
    assert "10:00–10:30" in email.body and "Europe/London" in email.body


def test_a_reminder_is_written_once_however_often_the_pass_runs(booked):
    for minutes in (0, 0, 5, 60, 120):
        reminders_plan(now=DAY_BEFORE + timedelta(minutes=minutes))
    assert len(reminders(booked)) == 1


def test_the_two_hour_reminder_follows_the_day_before_one(booked):
    reminders_plan(now=DAY_BEFORE)
    reminders_plan(now=START - timedelta(hours=2, minutes=1))
    assert len(reminders(booked)) == 1
    reminders_plan(now=START - timedelta(hours=2))
    bodies = sorted(m.body for m in reminders(booked))
    assert len(bodies) == 2 and any("in 2 hours" in body for body in bodies)


def test_after_a_broker_outage_only_the_closest_reminder_is_sent(booked):
    reminders_plan(now=START - timedelta(hours=1))
    [sms] = reminders(booked)
    assert "in 2 hours" in sms.body


def test_no_reminder_for_a_cancelled_or_past_booking(booked, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(DAY_BEFORE - timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.booking_cancel(booking=booked)
    assert reminders_plan(now=DAY_BEFORE) == 0
    assert reminders_plan(now=START + timedelta(minutes=1)) == 0
    assert reminders(booked) == []


def test_a_moved_booking_is_reminded_of_its_new_time_not_the_old_one(booked, django_capture_on_commit_callbacks):
    reminders_plan(now=DAY_BEFORE)
    new_start = START + timedelta(days=2)
    with (
        time_machine.travel(DAY_BEFORE + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.booking_reschedule(booking=booked, starts_at=new_start, enforce_availability=False)
    assert reminders_plan(now=START - timedelta(hours=2)) == 0
    reminders_plan(now=new_start - timedelta(hours=24))
    latest = max(reminders(booked), key=lambda m: m.pk)
    assert "Tue 1 Apr, 10:00 BST" in latest.body
    assert len(reminders(booked)) == 2


def test_a_clinic_chooses_its_own_reminder_hours(booked, messaging):
    messaging.reminder_hours = [48]
    messaging.save()
    assert reminders_plan(now=START - timedelta(hours=48, minutes=1)) == 0
    assert reminders_plan(now=START - timedelta(hours=48)) == 1
    reminders_plan(now=DAY_BEFORE)
    reminders_plan(now=START - timedelta(hours=2))
    assert len(reminders(booked)) == 1
