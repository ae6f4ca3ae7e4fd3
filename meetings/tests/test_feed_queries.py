"""A practitioner's calendar feed carries every meeting link at a cost that does not grow with the bookings."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from meetings.models import Meeting, MeetingStatus

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
FIRST = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def book_many(make_booking, count, offset=0):
    return [make_booking(FIRST + timedelta(hours=offset + index)) for index in range(count)]


def fetch_feed(client, practitioner):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/feeds/{practitioner.feed_token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content), len(queries)


def test_the_feed_costs_the_same_queries_for_3_and_for_30_meetings(client, practitioner, make_booking):
    book_many(make_booking, 3)
    fetch_feed(client, practitioner)  # the first fetch makes the join links
    _feed, few = fetch_feed(client, practitioner)

    book_many(make_booking, 27, offset=3)
    fetch_feed(client, practitioner)
    feed, many = fetch_feed(client, practitioner)

    assert Meeting.objects.filter(status=MeetingStatus.ACTIVE).count() == 30
    assert many == few
    events = feed.walk("VEVENT")
    assert len(events) == 30
    assert all("/j/" in str(event["URL"]) for event in events)


def test_the_first_fetch_makes_the_missing_join_links_together(client, practitioner, make_booking):
    book_many(make_booking, 3)
    _feed, first_few = fetch_feed(client, practitioner)
    book_many(make_booking, 12, offset=3)

    _feed, first_many = fetch_feed(client, practitioner)

    assert first_many == first_few
