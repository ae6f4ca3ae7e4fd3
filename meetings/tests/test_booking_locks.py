"""A booking change holds its booking without stopping rows that refer to it from being written."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bookings.services import _locked
from meetings.models import EventAction, EventOutcome, record_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_meeting_event_is_written_while_a_booking_change_holds_its_booking(make_booking):
    booking = make_booking(timezone.now() + timedelta(days=2))
    holding = threading.Event()
    release = threading.Event()

    def booking_change() -> None:
        try:
            with transaction.atomic():
                _locked(booking.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    changer = threading.Thread(target=booking_change)
    changer.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # The foreign key to the booking is checked at commit: it must not wait for the change.
            event = record_event(booking_id=booking.pk, action=EventAction.STATUS, outcome=EventOutcome.OK)
        assert event.pk is not None
    finally:
        release.set()
        changer.join(10)
