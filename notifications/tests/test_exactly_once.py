"""One message per event per recipient, whatever is repeated: signals, tasks, beat passes."""

from collections import Counter
from itertools import count

import pytest
from django.core import mail
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import services
from bookings.models import Booking
from bookings.signals import booking_changing, booking_confirmed
from notifications.models import Channel, Message, MessageStatus
from notifications.tasks import send_due_messages, send_message

from .scenes import START

STEPS = ["signal_in_transaction_again", "after_commit_signal_again", "task_again", "beat_pass"]
starts = count()


@pytest.fixture
def manual(service, messaging):
    service.confirmation_policy = "manual"
    service.save()
    return service


def emails_sent_for(message: Message) -> int:
    return sum(1 for email in mail.outbox if email.extra_headers.get("Message-ID") == message.provider_message_id)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(STEPS), max_size=8))
def test_repeated_signals_tasks_and_passes_never_send_twice(
    steps, make_booking, manual, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    booking = make_booking(START + timedelta(hours=next(starts)))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking)
    booking = Booking.objects.get(pk=booking.pk)
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            if step == "signal_in_transaction_again":
                with transaction.atomic():
                    booking_changing.send(sender=Booking, booking=booking, event="confirmed")
            elif step == "after_commit_signal_again":
                booking_confirmed.send(sender=Booking, booking=booking)
            elif step == "task_again":
                for message_id in Message.objects.filter(booking=booking).values_list("pk", flat=True):
                    send_message.apply(args=(message_id,))
            else:
                send_due_messages.apply()
    rows = Counter(Message.objects.filter(booking=booking).values_list("kind", "channel", "to"))
    assert rows and max(rows.values()) == 1
    for message in Message.objects.filter(booking=booking, channel=Channel.EMAIL):
        assert message.status == MessageStatus.SENT
        assert emails_sent_for(message) == 1
