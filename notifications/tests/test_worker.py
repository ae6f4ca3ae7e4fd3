"""Through Redis and a real Celery worker process, to the emulators on the live server and back."""

import pytest
from django.db import transaction

from bookings.models import Booking
from bookings.signals import booking_changing
from notifications.conftest import wait_for
from notifications.models import Channel, Kind, Message, MessageStatus
from notifications.tasks import send_due_messages, send_message
from sandbox.models import TextMessage

from .scenes import approve, book

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(reporting, celery_worker):
    return celery_worker


def delivered(booking, kind=Kind.CONFIRMED, channel=Channel.SMS) -> bool:
    return Message.objects.filter(booking=booking, kind=kind, channel=channel, status=MessageStatus.DELIVERED).exists()


def test_the_worker_sends_the_confirmation_and_the_report_marks_it_delivered(worker, service, practitioner):
    booking = approve(book(service, practitioner))
    assert wait_for(lambda: delivered(booking), timeout=20)
    email = Message.objects.get(booking=booking, kind=Kind.CONFIRMED, channel=Channel.EMAIL)
    assert wait_for(lambda: Message.objects.get(pk=email.pk).status == MessageStatus.SENT, timeout=20)


def test_redelivered_tasks_send_each_message_once(worker, service, practitioner):
    booking = approve(book(service, practitioner))
    assert wait_for(lambda: delivered(booking), timeout=20)
    ids = list(Message.objects.filter(booking=booking).values_list("pk", flat=True))
    for _ in range(3):
        for message_id in ids:
            send_message.delay(message_id)
    send_due_messages.delay()
    confirmation = Message.objects.get(booking=booking, kind=Kind.CONFIRMED, channel=Channel.SMS)
    # Give the worker time to run the redelivered tasks, then count what the gateway took.
    wait_for(lambda: not celery_busy(worker), timeout=20)
    assert TextMessage.objects.filter(to=confirmation.to, body=confirmation.body).count() == 1


def test_messages_written_while_the_broker_was_unreachable_are_sent_by_the_beat_pass(worker, service, practitioner):
    booking = book(service, practitioner)
    with transaction.atomic():
        # The change commits its rows, but its after-commit publish never happens (a broker outage).
        booking_changing.send(sender=Booking, booking=Booking.objects.get(pk=booking.pk), event="hold_expired")
    lost = Message.objects.get(booking=booking, kind=Kind.HOLD_EXPIRED, channel=Channel.SMS)
    assert lost.status == MessageStatus.QUEUED
    send_due_messages.delay()
    assert wait_for(lambda: delivered(booking, kind=Kind.HOLD_EXPIRED), timeout=20)


def celery_busy(app) -> bool:
    inspect = app.control.inspect(timeout=0.5)
    active = inspect.active() or {}
    reserved = inspect.reserved() or {}
    scheduled = inspect.scheduled() or {}
    return any(active.values()) or any(reserved.values()) or any(scheduled.values())
