"""API booking creation and listing, beside a trivial view, in one run under gunicorn on PostgreSQL.

Requests alternate (trivial page, list, create) so that any drift of the
machine touches the three alike. The trivial view is the landing page (a
template, no query). Creation goes through the real API with its key check,
rate limit, Idempotency-Key row, availability check, booking services and
signals (their tasks are published to Redis; no worker runs, so the request
does only its own work). Listing reads a page of 25 from a clinic with
`--bookings` bookings.

    python bench/api.py [--samples 200] [--bookings 500]

Environment: DATABASE_URL names the PostgreSQL server (its database name is
replaced by BENCH_API_DATABASE, default clinicpro_api_bench, dropped and created
each run); BENCH_API_REDIS_URL (default redis://127.0.0.1:6379/14) is the cache
and broker, flushed first.
"""

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from statistics import mean
from urllib.parse import urlsplit, urlunsplit

from _support import free_port, percentile, start_fresh

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinicpro"
WARM_UP = 20
START_TIMEOUT_SECONDS = 40.0
LOG_DIR = ROOT / "var" / "bench"
KEY = "cpk_bench0000000_clinicpro-bench-key"


def bench_database_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = os.environ.get("BENCH_API_DATABASE", "clinicpro_api_bench")
    return urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))


@contextmanager
def gunicorn(port: int, env: dict[str, str]) -> Iterator[None]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / "api-web.log"
    command = [sys.executable, "-m", "gunicorn", "clinicpro.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "2", "--log-level", "warning"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log_path}.")
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except OSError:
        return False


# --- The clinic ------------------------------------------------------------------------------------


def build_clinic(bookings: int) -> tuple[object, object, list]:
    """A clinic open 06:00-22:00 every day, a 15-minute service, `bookings` bookings, and free slots to book."""
    from django.contrib.auth import get_user_model

    from api.keys import hash_key
    from api.models import ApiKey, KeyScope
    from bookings.availability import available_slots
    from bookings.models import Practitioner, Service, WorkingHours
    from bookings.services import booking_create
    from clinicpro.models import Clinic, Membership, Role

    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    user = get_user_model().objects.create_user(username="bench", email="bench@example.com")
    membership = Membership.objects.create(clinic=clinic, role=Role.OWNER, user=user)
    practitioner = Practitioner.objects.create(clinic=clinic, membership=membership, display_name="Dr. Bench")
    for weekday in range(7):
        WorkingHours.objects.create(practitioner=practitioner, weekday=weekday, start_time=clock(6), end_time=clock(22))
    service = Service.objects.create(
        clinic=clinic, name="Consultation", duration_minutes=15, min_notice_minutes=0, horizon_days=365
    )
    service.practitioners.add(practitioner)
    ApiKey.objects.create(
        clinic=clinic, name="Bench", prefix="bench0000000", hashed_key=hash_key(KEY), scope=KeyScope.WRITE
    )
    start = date.today() + timedelta(days=1)
    slots = available_slots(service=service, practitioner=practitioner, start=start, end=start + timedelta(days=120))
    for slot in slots[:bookings]:
        booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=slot.starts_at,
            patient_name="Listed Patient",
            patient_email=f"listed{slot.starts_at.timestamp():.0f}@example.com",
            patient_phone="0712 345 678",
        )
    return service, practitioner, slots[bookings:]


# --- Measuring --------------------------------------------------------------------------------------


def timed(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> float:
    headers = {"Authorization": f"Bearer {KEY}"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers.update({"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    started = time.perf_counter()
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    expected = 201 if method == "POST" else 200
    if response.status != expected:
        raise RuntimeError(f"{method} {path} answered {response.status}, not {expected}.")
    return elapsed


def measure(port: int, service: object, practitioner: object, slots: list, samples: int) -> dict[str, list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    results: dict[str, list[float]] = {
        "trivial view (landing page)": [],
        "GET /api/v1/bookings": [],
        "POST /api/v1/bookings": [],
    }
    names = list(results)
    free = iter(slots)
    for round_number in range(WARM_UP + samples):
        slot = next(free)
        body = {
            "service_id": service.pk,
            "practitioner_id": practitioner.pk,
            "starts_at": slot.starts_at.isoformat(),
            "patient": {"name": "Bench Patient", "email": f"p{round_number}@example.com", "phone": "0712 345 678"},
        }
        timings = [
            timed(connection, "GET", "/"),
            timed(connection, "GET", "/api/v1/bookings?limit=25"),
            timed(connection, "POST", "/api/v1/bookings", body),
        ]
        if round_number >= WARM_UP:
            for name, value in zip(names, timings, strict=True):
                results[name].append(value)
    connection.close()
    return results


def table(results: dict[str, list[float]]) -> str:
    trivial = percentile(next(iter(results.values())), 50)
    lines = [
        "| request | n | p50 ms | p95 ms | p99 ms | mean ms | p50 / trivial p50 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in results.items():
        p50 = percentile(values, 50)
        lines.append(
            f"| {name} | {len(values)} | {p50:.1f} | {percentile(values, 95):.1f} | {percentile(values, 99):.1f} "
            f"| {mean(values):.1f} | {p50 / trivial:.1f}x |"
        )
    return "\n".join(lines)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="measured rounds (one request of each kind)")
    parser.add_argument("--bookings", type=int, default=500, help="bookings in the clinic before measuring")
    args = parser.parse_args()

    database_url = bench_database_url()
    redis_url = os.environ.get("BENCH_API_REDIS_URL", "redis://127.0.0.1:6379/14")
    port = free_port()
    # Rate limits off (the bench is one busy client); persistent connections, as production runs them.
    env = start_fresh(database_url, redis_url, port, API_RATE_LIMIT_PER_MINUTE="1000000", DB_CONN_MAX_AGE="60")
    service, practitioner, slots = build_clinic(args.bookings)
    if len(slots) < WARM_UP + args.samples:
        raise SystemExit("Not enough free slots for that many samples.")
    with gunicorn(port, env):
        results = measure(port, service, practitioner, slots, args.samples)
    from clinicpro.celery import app

    app.control.purge()  # what the created bookings queued: no worker runs in this bench

    print("\n## API requests beside a trivial view (gunicorn, 2 workers x 2 threads, PostgreSQL, one client)\n")
    print(table(results))
    print(
        f"\nDatabase {urlsplit(database_url).path.lstrip('/')} with {args.bookings} bookings before the run; "
        f"{WARM_UP} warm-up rounds not counted; one keep-alive connection, requests in turn."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
