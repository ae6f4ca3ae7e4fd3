"""Deliveries are written in the same transaction as the event they tell of."""

import json

import pytest
from django.db import transaction

from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from bookings import services


@pytest.fixture
def endpoint(clinic):
    # An address nothing listens on: these tests look at the outbox, not at sending.
    return WebhookEndpoint.objects.create(
        clinic=clinic, url="http://127.0.0.1:9/hook", events=list(WebhookEvent.values)
    )


def test_a_booking_writes_created_and_confirmed_deliveries(endpoint, make_booking, slot_start):
    booking = make_booking(slot_start)

    deliveries = {d.event_type: d for d in WebhookDelivery.objects.all()}

    # The service is online: its meeting is made in-process right after the commit, and told too.
    assert set(deliveries) == {"booking.created", "booking.confirmed", "meeting.ready"}
    body = json.loads(deliveries["booking.created"].body)
    assert body["type"] == "booking.created"
    assert body["data"]["booking"]["id"] == booking.pk
    assert body["data"]["booking"]["starts_at"] == slot_start.isoformat()
    assert body["timestamp"].endswith("Z") or "+" in body["timestamp"]


def test_a_change_that_rolls_back_leaves_no_delivery(endpoint, service, practitioner, slot_start):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=slot_start,
            patient_name="Achieng",
            patient_email="a@example.com",
            patient_phone="0712345678",
            enforce_availability=False,
        )
        assert WebhookDelivery.objects.count() == 2
        raise RuntimeError("the request failed after booking")

    assert WebhookDelivery.objects.count() == 0


def test_only_subscribed_active_endpoints_of_the_clinic_get_deliveries(
    endpoint, clinic, other_clinic, make_booking, slot_start
):
    cancelled_only = WebhookEndpoint.objects.create(
        clinic=clinic, url="http://127.0.0.1:9/c", events=["booking.cancelled"]
    )
    WebhookEndpoint.objects.create(
        clinic=clinic, url="http://127.0.0.1:9/off", events=["booking.created"], is_active=False
    )
    WebhookEndpoint.objects.create(clinic=other_clinic, url="http://127.0.0.1:9/other", events=["booking.created"])

    booking = make_booking(slot_start)
    services.booking_cancel(booking=booking, reason="Ill")

    assert sorted(WebhookDelivery.objects.values_list("endpoint__url", "event_type")) == [
        ("http://127.0.0.1:9/c", "booking.cancelled"),
        ("http://127.0.0.1:9/hook", "booking.cancelled"),
        ("http://127.0.0.1:9/hook", "booking.confirmed"),
        ("http://127.0.0.1:9/hook", "booking.created"),
        ("http://127.0.0.1:9/hook", "meeting.ready"),
    ]
    assert cancelled_only.deliveries.count() == 1


def test_a_reschedule_tells_the_previous_time(endpoint, make_booking, slot_start):
    from datetime import timedelta

    booking = make_booking(slot_start)
    services.booking_reschedule(booking=booking, starts_at=slot_start + timedelta(hours=1), enforce_availability=False)

    body = json.loads(WebhookDelivery.objects.get(event_type="booking.rescheduled").body)
    assert body["data"]["previous_starts_at"] == slot_start.isoformat()
    assert body["data"]["booking"]["starts_at"] == (slot_start + timedelta(hours=1)).isoformat()


def test_meeting_signals_write_meeting_deliveries(endpoint, make_booking, slot_start):
    from meetings.models import Meeting
    from meetings.signals import meeting_changed, meeting_ready

    booking = make_booking(slot_start)
    meeting = Meeting.objects.get(booking=booking, is_current=True)
    # The booking's own deliveries (its real meeting.ready among them) are not what this test reads.
    WebhookDelivery.objects.all().delete()

    with transaction.atomic():
        meeting_ready.send(sender=Meeting, meeting=meeting, booking=booking)
        meeting_changed.send(sender=Meeting, meeting=meeting, booking=booking, reason="Zoom failed; backup room used")

    ready = json.loads(WebhookDelivery.objects.get(event_type="meeting.ready").body)
    changed = json.loads(WebhookDelivery.objects.get(event_type="meeting.changed").body)
    assert ready["data"]["booking_id"] == booking.pk
    assert "/j/" in ready["data"]["meeting"]["join_url"]
    assert changed["data"]["reason"] == "Zoom failed; backup room used"


def test_a_payment_outcome_writes_its_delivery_in_its_own_transaction(endpoint, invoice):
    from payments.settlement import stk_failure_record
    from payments.testing import pending_attempt

    attempt = pending_attempt(invoice, "ws_CO_rolled_back")

    with pytest.raises(RuntimeError), transaction.atomic():
        stk_failure_record(attempt_id=attempt.pk, result_code="1032")
        assert WebhookDelivery.objects.filter(event_type="payment.failed").count() == 1
        raise RuntimeError("the callback's processing failed after recording")

    assert not WebhookDelivery.objects.filter(event_type="payment.failed").exists()
