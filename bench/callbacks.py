"""STK callbacks at gunicorn, beside a trivial Django view, then callback to paid to meeting link.

1. A trivial Django view (the landing page: middleware and a template, no query)
   is driven with CONCURRENCY clients to know what this machine serves at all.
2. STK result callbacks are posted to one clinic's callback URL with the same
   concurrency: UNIQUE distinct prompts plus 20% duplicates of them, shuffled.
   Each is stored, answered and queued on Redis. Then a real Celery worker starts,
   verifies each with STK Query against the Daraja emulator on the same gunicorn
   and settles it; its drain rate is reported separately.
3. Once the worker drained, every prompt must be paid exactly once: "lost" counts
   accepted prompts whose invoice is not paid, "duplicated" invoices with more than
   one payment, "unstored" callbacks answered 200 without a stored row.
4. Callback to paid to working meeting link, through the worker, one at a time.

Everything runs on 127.0.0.1: a fresh PostgreSQL database (dropped and created each
run), a Redis database, gunicorn and one worker, all stopped at the end.

    python bench/callbacks.py [--unique 4200] [--concurrency 32] [--link-samples 30]

Environment: DATABASE_URL names the PostgreSQL server (its database name is replaced
by BENCH_CALLBACKS_DATABASE, default clinicpro_bench_callbacks); BENCH_CALLBACKS_REDIS_URL
(default redis://127.0.0.1:6379/12) is the broker and cache.
"""

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._support import free_port, percentile, start_fresh  # noqa: E402  (the shared plumbing of the benchmarks)
from bench.meeting_latency import DEFAULT_DATABASE_URL, celery_worker, running, web_server  # noqa: E402

DUPLICATE_SHARE = 0.2
TRIVIAL_REQUESTS = 3000
DRAIN_TIMEOUT_SECONDS = 1800.0
WORKER_THREADS = 8
BEAT_SECONDS = 15.0
LINK_TIMEOUT_SECONDS = 30.0


@dataclass
class Load:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def drive(name: str, jobs: list[tuple[str, bytes | None]], concurrency: int) -> Load:
    """Send every (url, body) with `concurrency` clients, each with its own keep-alive session."""
    import requests

    local = threading.local()
    load = Load(name=name)
    lock = threading.Lock()

    def send(job: tuple[str, bytes | None]) -> None:
        url, body = job
        started = time.perf_counter()
        status = 0
        # A keep-alive connection the server just closed is reset: retry once on a new one, as clients do
        # (for a callback that is a duplicate, which the app absorbs).
        for _ in range(2):
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            try:
                if body is None:
                    status = session.get(url, timeout=30).status_code
                else:
                    headers = {"Content-Type": "application/json"}
                    status = session.post(url, data=body, headers=headers, timeout=30).status_code
                break
            except requests.ConnectionError:
                local.session = None
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            load.latencies_ms.append(elapsed)
            load.statuses[status] = load.statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, jobs))
    load.seconds = time.perf_counter() - started
    return load


# --- The scene: many invoices, each with a prompt the emulator says was paid --------------------


def build_scene(unique: int, base_url: str) -> tuple[object, list[str]]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bookings.models import Booking, BookingStatus, ConfirmationPolicy, Patient, Practitioner, Service
    from clinicpro.models import Clinic, Membership, Role
    from payments.models import AttemptStatus, Invoice, InvoiceStatus, MpesaSettings, StkAttempt
    from sandbox.daraja import world
    from sandbox.daraja.models import StkPrompt

    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    user = get_user_model().objects.create_user(username="bench-practitioner", email="bench@example.com")
    membership = Membership.objects.create(clinic=clinic, role=Role.PRACTITIONER, user=user)
    practitioner = Practitioner.objects.create(clinic=clinic, membership=membership, display_name="Dr. Bench")
    service = Service.objects.create(
        clinic=clinic, name="Clinic visit", price=1500, confirmation_policy=ConfirmationPolicy.PAYMENT
    )
    service.practitioners.add(practitioner)
    patient = Patient.objects.create(clinic=clinic, name="Bench Patient", email="p@example.com", phone="+254712345678")
    app = world.demo_app()
    mpesa = MpesaSettings.objects.create(
        clinic=clinic,
        base_url=base_url,
        shortcode=world.DEMO_SHORTCODE,
        consumer_key=world.DEMO_CONSUMER_KEY,
        consumer_secret=world.DEMO_CONSUMER_SECRET,
        passkey=world.DEMO_PASSKEY,
    )
    now = timezone.now()
    first = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    bookings = []
    for index in range(unique):
        start = first + timedelta(minutes=45 * index)
        bookings.append(
            Booking(
                clinic=clinic,
                service=service,
                practitioner=practitioner,
                patient=patient,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                blocked_from=start,
                blocked_until=start + timedelta(minutes=30),
                status=BookingStatus.AWAITING_PAYMENT,
                hold_expires_at=now + timedelta(days=1),
                price=1500,
            )
        )
    bookings = Booking.objects.bulk_create(bookings, batch_size=500)
    invoices = Invoice.objects.bulk_create(
        [Invoice(clinic=clinic, booking=booking, amount=1500, status=InvoiceStatus.PENDING) for booking in bookings],
        batch_size=500,
    )
    checkout_ids = [f"ws_CO_bench{index:08d}" for index in range(unique)]
    StkAttempt.objects.bulk_create(
        [
            StkAttempt(
                clinic=clinic,
                invoice=invoice,
                phone="254712345678",
                amount=1500,
                status=AttemptStatus.PENDING,
                checkout_request_id=checkout_id,
            )
            for invoice, checkout_id in zip(invoices, checkout_ids, strict=True)
        ],
        batch_size=500,
    )
    StkPrompt.objects.bulk_create(
        [
            StkPrompt(
                app=app,
                merchant_request_id=f"bench-{index}",
                checkout_request_id=checkout_id,
                phone="254712345678",
                amount=1500,
                account_reference="BENCH",
                callback_url="http://127.0.0.1/",
                transaction_type="CustomerPayBillOnline",
                party_b=world.DEMO_SHORTCODE,
                status=StkPrompt.Status.DONE,
                result_code="0",
                result_desc="The service request is processed successfully.",
                receipt_number=f"B{index:09d}",
                expires_at=now,
            )
            for index, checkout_id in enumerate(checkout_ids)
        ],
        batch_size=500,
    )
    return mpesa, checkout_ids


def callback_jobs(url: str, checkout_ids: list[str]) -> list[tuple[str, bytes]]:
    from payments.testing import stk_body

    bodies = [
        (url, json.dumps(stk_body(cid, amount=1500, receipt_number=f"B{index:09d}")).encode())
        for index, cid in enumerate(checkout_ids)
    ]
    duplicates = random.sample(bodies, int(len(bodies) * DUPLICATE_SHARE / (1 - DUPLICATE_SHARE)))
    jobs = bodies + duplicates
    random.shuffle(jobs)
    return jobs


def drained(expected: int) -> bool:
    """Wait for the worker, ticking the beat pass as beat would (it recovers tasks whose message was lost)."""
    from payments.models import Callback
    from payments.tasks import process_pending_callbacks

    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    next_tick = time.monotonic() + BEAT_SECONDS
    while time.monotonic() < deadline:
        if time.monotonic() >= next_tick:
            process_pending_callbacks.delay()
            next_tick += BEAT_SECONDS
        if not Callback.objects.filter(status__in=["received", "processing"]).exists() and (
            Callback.objects.count() >= expected
        ):
            return True
        time.sleep(0.5)
    return False


def worker_idle(redis_url: str) -> bool:
    """Wait until the worker has also run what settling queued (receipts, confirmations), so the link
    samples below measure one payment on an idle worker rather than a place at the back of that queue."""
    import redis

    from clinicpro.celery import app

    broker = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if broker.llen("celery") == 0 and not any((app.control.inspect(timeout=1).active() or {}).values()):
            return True
        time.sleep(1)
    return False


def outcome(checkout_ids: list[str], sent: int) -> dict[str, int]:
    from django.db.models import Count

    from payments.models import Callback, Invoice, InvoiceStatus, Payment

    paid = Invoice.objects.filter(status=InvoiceStatus.PAID, attempts__checkout_request_id__in=checkout_ids).count()
    doubled = Payment.objects.values("invoice_id").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "stored": Callback.objects.count(),
        "unstored": sent - Callback.objects.count(),
        "lost": len(checkout_ids) - paid,
        "duplicated": doubled,
    }


# --- Callback to meeting link ---------------------------------------------------------------------


def link_latencies(mpesa: object, url: str, samples: int) -> tuple[list[float], int]:
    import requests
    from django.utils import timezone

    from bookings.models import ConfirmationPolicy, Service
    from bookings.services import booking_create
    from meetings.models import Meeting, MeetingStatus
    from payments.models import AttemptStatus, Invoice, StkAttempt
    from payments.testing import stk_body
    from sandbox.daraja import world
    from sandbox.daraja.models import StkPrompt

    clinic = mpesa.clinic
    practitioner = clinic.practitioners.get()
    service = Service.objects.create(
        clinic=clinic,
        name="Video consultation",
        price=1500,
        is_online=True,
        meeting_platform="selfhosted",
        confirmation_policy=ConfirmationPolicy.PAYMENT,
    )
    service.practitioners.add(practitioner)
    start = (timezone.now() + timedelta(days=400)).replace(minute=0, second=0, microsecond=0)
    latencies, timeouts = [], 0
    session = requests.Session()
    for index in range(samples):
        booking = booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=start + timedelta(hours=index),
            patient_name="Bench Patient",
            patient_email="p@example.com",
            patient_phone="0712 345 678",
            enforce_availability=False,
        )
        invoice = Invoice.objects.get(booking=booking)
        checkout_id = f"ws_CO_link{index:06d}"
        StkAttempt.objects.create(
            clinic=clinic,
            invoice=invoice,
            phone="254712345678",
            amount=1500,
            status=AttemptStatus.PENDING,
            checkout_request_id=checkout_id,
        )
        StkPrompt.objects.create(
            app=world.demo_app(),
            merchant_request_id="link",
            checkout_request_id=checkout_id,
            phone="254712345678",
            amount=1500,
            account_reference=invoice.reference,
            callback_url="http://127.0.0.1/",
            transaction_type="CustomerPayBillOnline",
            party_b=world.DEMO_SHORTCODE,
            status="done",
            result_code="0",
            result_desc="ok",
            receipt_number=f"L{index:09d}",
            expires_at=timezone.now(),
        )
        body = json.dumps(stk_body(checkout_id, amount=1500, receipt_number=f"L{index:09d}")).encode()
        started = time.perf_counter()
        session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        deadline = started + LINK_TIMEOUT_SECONDS
        while time.perf_counter() < deadline:
            if (
                Meeting.objects.filter(booking=booking, is_current=True, status=MeetingStatus.ACTIVE)
                .exclude(join_url="")
                .exists()
            ):
                latencies.append((time.perf_counter() - started) * 1000)
                break
            time.sleep(0.002)
        else:
            timeouts += 1
    return latencies, timeouts


def row(load: Load) -> str:
    values = load.latencies_ms
    return (
        f"| {load.name} | {len(values)} | {load.per_second:.0f} | {percentile(values, 50):.1f} "
        f"| {percentile(values, 99):.1f} | {', '.join(f'{k}: {v}' for k, v in sorted(load.statuses.items()))} |"
    )


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unique", type=int, default=4200, help="distinct prompts (20%% more are duplicates)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--link-samples", type=int, default=30)
    args = parser.parse_args()

    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = os.environ.get("BENCH_CALLBACKS_DATABASE", "clinicpro_bench_callbacks")
    database_url = urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))
    redis_url = os.environ.get("BENCH_CALLBACKS_REDIS_URL", "redis://127.0.0.1:6379/12")
    port = free_port()
    # Persistent database connections, as production runs them (a connection per request costs more than the work).
    env = start_fresh(
        database_url,
        redis_url,
        port,
        DB_CONN_MAX_AGE="60",
        PAYMENTS_CALLBACK_BASE_URL=f"http://127.0.0.1:{port}",
    )
    from payments.urls_callbacks import callback_url

    site = f"http://127.0.0.1:{port}"
    mpesa, checkout_ids = build_scene(args.unique, f"{site}/sandbox/daraja")
    url = callback_url(mpesa, "stk")
    jobs = callback_jobs(url, checkout_ids)

    web_command, web_ready = web_server(port)
    worker_command, worker_ready = celery_worker()
    worker_command += [f"--concurrency={WORKER_THREADS}"]  # verification waits on HTTP and the database
    with running("web-callbacks", web_command, env, web_ready):
        drive("warm-up", [(f"{site}/", None)] * 200, args.concurrency)
        trivial = drive("trivial view (GET /)", [(f"{site}/", None)] * TRIVIAL_REQUESTS, args.concurrency)
        callbacks = drive("STK callbacks (20% duplicates)", jobs, args.concurrency)
        # Processing is asynchronous by design: the worker starts once the intake is measured, and
        # its drain rate is reported on its own.
        with running("worker-callbacks", worker_command, env, worker_ready):
            drain_started = time.perf_counter()
            complete = drained(len(jobs))
            drain_seconds = time.perf_counter() - drain_started
            counts = outcome(checkout_ids, callbacks.statuses.get(200, 0))
            complete = worker_idle(redis_url) and complete
            idle_seconds = time.perf_counter() - drain_started
            link_ms, link_timeouts = link_latencies(mpesa, url, args.link_samples)

    print(f"\n## STK callbacks at gunicorn, concurrency {args.concurrency}\n")
    print("| load | requests | per s | p50 ms | p99 ms | answers |")
    print("|---|---:|---:|---:|---:|---|")
    print(row(trivial))
    print(row(callbacks))
    ratio = callbacks.per_second / trivial.per_second if trivial.per_second else 0.0
    print(f"\nRatio callbacks/s to trivial view/s: {ratio:.2f}")
    print(
        f"Worker drain: {len(jobs)} callbacks verified with STK Query and settled in {drain_seconds:.1f} s "
        f"({len(jobs) / drain_seconds:.0f} per s, one worker with {WORKER_THREADS} threads); the messages "
        f"that settling queued were sent by {idle_seconds:.1f} s"
    )
    print(
        f"Distinct prompts {len(checkout_ids)}, callbacks sent {len(jobs)}; stored {counts['stored']}, "
        f"unstored {counts['unstored']}, lost {counts['lost']}, duplicated {counts['duplicated']}"
        + ("" if complete else f" (the worker had not drained after {DRAIN_TIMEOUT_SECONDS:.0f} s)")
    )
    if link_ms:
        print(
            f"\nCallback to paid to meeting link through the worker: n={len(link_ms)}, "
            f"p50 {percentile(link_ms, 50):.1f} ms, p99 {percentile(link_ms, 99):.1f} ms, timeouts {link_timeouts}"
        )
    healthy = complete and counts["lost"] == 0 and counts["duplicated"] == 0 and counts["unstored"] == 0
    return 0 if healthy and not link_timeouts else 1


if __name__ == "__main__":
    sys.exit(main())
