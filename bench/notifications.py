"""Messages through a real Celery worker on Redis to the Africa's Talking emulator served by gunicorn.

Two figures:

- confirmation to accepted: a pending booking is approved (the real service,
  signals, outbox rows and task), and the clock runs until its confirmation SMS
  is recorded as taken by the emulator (its 201 answer stored on the message);
- throughput: a batch of queued SMS is handed to the worker at once, and the
  clock runs until every one is accepted: messages per second.

Everything runs on 127.0.0.1: a fresh PostgreSQL database (BENCH_DATABASE,
default clinicpro_bench_notifications, dropped and created each run), a Redis
database (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14), one worker and
one web server subprocess, all stopped at the end. Every wait is bounded.

    python bench/notifications.py [--samples 50] [--batch 300]
"""

import argparse
import os
import signal
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from _support import free_port, percentile, start_fresh
from meeting_latency import DEFAULT_DATABASE_URL, Result, celery_worker, running, table, web_server

WARM_UP = 3
SEND_TIMEOUT_SECONDS = 30.0
BATCH_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 0.005
AT_USERNAME, AT_KEY = "bench-clinic", "atsk_bench_" + "0" * 53


def bench_database_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = os.environ.get("BENCH_DATABASE", "clinicpro_bench_notifications")
    return urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))


def build_scene() -> tuple[object, object, object]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from bookings.models import ConfirmationPolicy, Practitioner, Service
    from clinicpro.models import Clinic, Membership, Role
    from notifications.models import ClinicMessaging
    from sandbox.models import Service as Vendor
    from sandbox.models import TextAccount

    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    user = get_user_model().objects.create_user(username="bench-practitioner", email="bench@example.com")
    membership = Membership.objects.create(clinic=clinic, role=Role.PRACTITIONER, user=user)
    practitioner = Practitioner.objects.create(clinic=clinic, membership=membership, display_name="Dr. Bench")
    service = Service.objects.create(
        clinic=clinic,
        name="Clinic visit",
        is_online=False,
        confirmation_policy=ConfirmationPolicy.MANUAL,
        min_notice_minutes=0,
    )
    service.practitioners.add(practitioner)
    config = ClinicMessaging.objects.create(
        clinic=clinic,
        africastalking_username=AT_USERNAME,
        africastalking_api_key=AT_KEY,
        africastalking_sender_id="BENCH",
    )
    TextAccount.objects.create(
        service=Vendor.AFRICASTALKING,
        username=AT_USERNAME,
        secret=AT_KEY,
        senders=["BENCH"],
        balance=99_999,
        delivery_report_url=settings.SITE_URL
        + reverse("notifications_africastalking_report", args=[config.report_secret]),
    )
    return clinic, practitioner, service


class Bookings:
    def __init__(self, practitioner: object, service: object) -> None:
        from django.utils import timezone

        self.practitioner, self.service = practitioner, service
        self.next_start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        self.count = 0

    def pending(self) -> object:
        from bookings.services import booking_create

        self.count += 1
        booking = booking_create(
            service=self.service,
            practitioner=self.practitioner,
            starts_at=self.next_start,
            patient_name="Bench Patient",
            patient_email=f"patient{self.count}@example.com",
            patient_phone=f"+25472{self.count:06d}1",
            enforce_availability=False,
        )
        self.next_start += timedelta(minutes=45)
        return booking


def confirmation_to_accepted_ms(bookings: Bookings) -> float | None:
    from bookings.services import booking_approve
    from notifications.models import Channel, Kind, Message, MessageStatus

    booking = bookings.pending()
    started = time.perf_counter()
    booking_approve(booking=booking)
    accepted = Message.objects.filter(
        booking_id=booking.pk,
        kind=Kind.CONFIRMED,
        channel=Channel.SMS,
        status__in=[MessageStatus.SENT, MessageStatus.DELIVERED],
    )
    deadline = started + SEND_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if accepted.exists():
            return (time.perf_counter() - started) * 1000
        time.sleep(POLL_SECONDS)
    return None


def measure_latency(bookings: Bookings, samples: int) -> Result:
    for _ in range(WARM_UP):
        confirmation_to_accepted_ms(bookings)
    result = Result(provider="confirmation SMS, Africa's Talking emulator", latencies_ms=[])
    for _ in range(samples):
        latency = confirmation_to_accepted_ms(bookings)
        if latency is None:
            result.timeouts += 1
        else:
            result.latencies_ms.append(latency)
    return result


def measure_throughput(clinic: object, size: int) -> tuple[int, float]:
    """Queue `size` SMS, hand them all to the worker, and time until every one is accepted: (sent, seconds)."""
    from notifications.models import Channel, Kind, Message, MessageStatus, RecipientRole
    from notifications.tasks import send_message

    rows = Message.objects.bulk_create(
        [
            Message(
                clinic=clinic,
                kind=Kind.ALERT,
                channel=Channel.SMS,
                recipient_role=RecipientRole.PATIENT,
                to=f"+25471{n:06d}1",
                dedupe_key=f"bench:{n}",
                body="ClinicPro bench: your appointment is confirmed. Manage: https://clinic.example/b/abc/",
            )
            for n in range(size)
        ]
    )
    ids = [row.pk for row in rows]
    started = time.perf_counter()
    for message_id in ids:
        send_message.delay(message_id)
    done = Message.objects.filter(pk__in=ids, status__in=[MessageStatus.SENT, MessageStatus.DELIVERED])
    deadline = started + BATCH_TIMEOUT_SECONDS
    sent = 0
    while time.perf_counter() < deadline:
        sent = done.count()
        if sent == size:
            break
        time.sleep(0.05)
    return sent, time.perf_counter() - started


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=50, help="bookings approved for the latency figure")
    parser.add_argument("--batch", type=int, default=200, help="messages queued at once for the throughput figure")
    args = parser.parse_args()

    database_url = bench_database_url()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    port = free_port()
    env = start_fresh(database_url, redis_url, port, NOTIFICATIONS_USE_SANDBOX="1")

    clinic, practitioner, service = build_scene()
    worker_command, worker_ready = celery_worker()
    web_command, web_ready = web_server(port)
    with running("web", web_command, env, web_ready), running("celery-worker", worker_command, env, worker_ready):
        latency = measure_latency(Bookings(practitioner, service), args.samples)
        sent, seconds = measure_throughput(clinic, args.batch)

    print("\n## Confirmation to message accepted by the gateway, through a real Celery worker on Redis\n")
    print(table([latency]))
    if latency.latencies_ms:
        print(f"\np50 {percentile(latency.latencies_ms, 50):.1f} ms, p99 {percentile(latency.latencies_ms, 99):.1f} ms")
    print("\n## Throughput: queued SMS sent through the worker to the emulator\n")
    print("| messages | accepted | seconds | messages/s |\n|---:|---:|---:|---:|")
    print(f"| {args.batch} | {sent} | {seconds:.2f} | {sent / seconds:.1f} |")
    print(
        f"\nPostgreSQL database {urlsplit(database_url).path.lstrip('/')}, broker {redis_url}, worker --pool=threads "
        f"--concurrency=4, gunicorn 2 workers x 8 threads; {WARM_UP} warm-up bookings not counted."
    )
    return 0 if latency.timeouts == 0 and sent == args.batch else 1


if __name__ == "__main__":
    sys.exit(main())
