"""Callbacks through real Redis and a real Celery worker: paid once, one meeting, nothing lost without the broker."""

import pytest

from bookings.models import Booking, BookingStatus
from meetings.models import Meeting, MeetingStatus
from meetings.testing.scenes import wait_for
from payments.models import Callback, CallbackStatus, InvoiceStatus, Payment
from payments.stk import stk_push_start
from payments.tasks import process_pending_callbacks
from payments.testing import post_json, stk_body
from payments.urls_callbacks import callback_url
from sandbox.daraja import faults
from sandbox.daraja.models import StkPrompt

from ..conftest import SUCCESS_PHONE

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.worker
def test_twenty_concurrent_callbacks_through_the_worker_pay_once_and_make_one_meeting(celery_worker, mpesa, invoice):
    faults.inject("callback", "duplicate", copies=20, concurrent=True)

    stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    meeting = wait_for(
        lambda: Meeting.objects.filter(booking_id=invoice.booking_id, status=MeetingStatus.ACTIVE).first(), timeout=60
    )
    wait_for(lambda: Callback.objects.filter(status__in=["processed", "duplicate"]).count() == 20, timeout=60)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Meeting.objects.filter(booking_id=invoice.booking_id).count() == 1 and meeting.join_url
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED


def test_a_callback_whose_task_never_ran_is_processed_by_the_beat_pass(mpesa, invoice, settings):
    from clinicpro.celery import app

    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    wait_for(lambda: StkPrompt.objects.filter(checkout_request_id=attempt.checkout_request_id, status="done").exists())
    # No worker runs: the queued task waits on Redis, as when the worker is down.
    app.conf.task_always_eager = False
    try:
        response = post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=1500))
        assert response.status_code == 200
        assert Callback.objects.get(external_id=attempt.checkout_request_id).status == CallbackStatus.RECEIVED

        assert process_pending_callbacks() == 1
    finally:
        app.conf.task_always_eager = True
        app.control.purge()

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Callback.objects.get(external_id=attempt.checkout_request_id).status == CallbackStatus.PROCESSED


def test_a_callback_arriving_while_the_broker_is_unreachable_is_stored_answered_and_paid_later(mpesa, invoice):
    import socket

    from clinicpro.celery import app

    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    wait_for(lambda: StkPrompt.objects.filter(checkout_request_id=attempt.checkout_request_id, status="done").exists())
    with socket.socket() as probe:  # a port nobody listens on: the broker is gone
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    previous = app.conf.broker_url
    app.conf.broker_url, app._pool, app.amqp._producer_pool = f"redis://127.0.0.1:{closed_port}/0", None, None
    app.conf.task_always_eager = False
    try:
        response = post_json(callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=1500))
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = previous, None, None
        app.conf.task_always_eager = True

    assert response.status_code == 200 and response.json()["ResultCode"] == 0
    assert Callback.objects.get(external_id=attempt.checkout_request_id).status == CallbackStatus.RECEIVED
    invoice.refresh_from_db()
    assert invoice.status != InvoiceStatus.PAID

    # The broker is back: beat's pass finds the stored row.
    assert process_pending_callbacks() == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Payment.objects.filter(invoice=invoice).count() == 1
