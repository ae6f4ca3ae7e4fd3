"""Confirmation-to-link latency through a real Celery worker on Redis.

For each sample a pending online booking is approved (the real `booking_approve`
service, so the real `booking_confirmed` signal, receiver and task), and the
clock runs until its current meeting is active with a join URL in the database:
the moment the patient's page would show a working link.

Two providers are measured:

- the self-hosted rooms (no vendor call);
- Zoom against the sandbox's Zoom emulator, answering every create after 200 ms
  (a `delay` fault), served by gunicorn on a free local port.

Everything runs on 127.0.0.1: a fresh PostgreSQL database (dropped and created
each run), a Redis database, one worker and one web server subprocess, all
stopped at the end. Every wait is bounded.

    python bench/meeting_latency.py [--samples 50] [--zoom-samples 30]

Environment: DATABASE_URL names the PostgreSQL server (its database name is
replaced by BENCH_DATABASE, default clinicpro_bench); BENCH_REDIS_URL (default
redis://127.0.0.1:6379/15) is flushed of queued tasks and used as broker and cache.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _support import free_port, percentile, start_fresh

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinicpro"
ZOOM_DELAY_SECONDS = 0.2
WARM_UP = 3
LINK_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.002
START_TIMEOUT_SECONDS = 40.0
LOG_DIR = ROOT / "var" / "bench"


@dataclass
class Result:
    provider: str
    latencies_ms: list[float]
    timeouts: int = 0
    fallbacks: int = 0
    note: str = ""


# --- Environment: database, ports, subprocesses ------------------------------------------------


def bench_database_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = os.environ.get("BENCH_DATABASE", "clinicpro_bench")
    return urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}.")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {timeout:.0f} s.")
        time.sleep(0.2)


@contextmanager
def running(
    name: str, command: list[str], env: dict[str, str], ready: Callable[[subprocess.Popen], None]
) -> Iterator[None]:
    """A subprocess for the duration of the block; its output goes to var/bench/<name>.log."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                ready(process)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc} See {log_path}.") from None
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def web_server(port: int) -> tuple[list[str], Callable[[subprocess.Popen], None]]:
    """gunicorn with threads: the emulator's delay fault sleeps in the request thread."""
    command = [sys.executable, "-m", "gunicorn", "clinicpro.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "8", "--log-level", "warning"]

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # a 503 from /healthz still means the server is up
        except OSError:
            return False

    def ready(process: subprocess.Popen) -> None:
        wait_until(answers, timeout=START_TIMEOUT_SECONDS, what="The web server", process=process)

    return command, ready


def celery_worker() -> tuple[list[str], Callable[[subprocess.Popen], None]]:
    """Started the way conftest.py's `celery_worker` fixture starts it."""
    from clinicpro.celery import app

    command = [sys.executable, "-m", "celery", "-A", "clinicpro", "worker", "--pool=threads", "--concurrency=4"]
    command += ["--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h", "-l", "warning"]

    def ready(process: subprocess.Popen) -> None:
        ping = lambda: bool(app.control.ping(timeout=0.5))  # noqa: E731
        wait_until(ping, timeout=START_TIMEOUT_SECONDS, what="The Celery worker", process=process)

    return command, ready


# --- The scene ------------------------------------------------------------------------------------


@dataclass
class Scene:
    clinic: object
    practitioner: object
    next_start: object

    def pending_booking(self, service: object) -> object:
        from bookings.services import booking_create

        booking = booking_create(
            service=service,
            practitioner=self.practitioner,
            starts_at=self.next_start,
            patient_name="Bench Patient",
            patient_email="bench.patient@example.com",
            patient_phone="0712 345 678",
            enforce_availability=False,
        )
        self.next_start += timedelta(minutes=45)
        return booking


def build_scene() -> Scene:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bookings.models import ConfirmationPolicy, Practitioner, Service
    from clinicpro.models import Clinic, Membership, Role

    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    user = get_user_model().objects.create_user(username="bench-practitioner", email="bench@example.com")
    membership = Membership.objects.create(clinic=clinic, role=Role.PRACTITIONER, user=user)
    practitioner = Practitioner.objects.create(clinic=clinic, membership=membership, display_name="Dr. Bench")
    for platform in ("selfhosted", "zoom"):
        service = Service.objects.create(
            clinic=clinic,
            name=f"Video consultation ({platform})",
            is_online=True,
            meeting_platform=platform,
            confirmation_policy=ConfirmationPolicy.MANUAL,
            min_notice_minutes=0,
        )
        service.practitioners.add(practitioner)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return Scene(clinic=clinic, practitioner=practitioner, next_start=start)


def service_for(scene: Scene, platform: str) -> object:
    return scene.clinic.services.get(meeting_platform=platform)


# --- Measuring ------------------------------------------------------------------------------------


def confirmation_to_link_ms(scene: Scene, service: object) -> tuple[float | None, bool]:
    """Approve one booking and wait for its working link: (milliseconds or None on timeout, is_fallback)."""
    from bookings.services import booking_approve
    from meetings.models import Meeting, MeetingStatus

    booking = scene.pending_booking(service)
    started = time.perf_counter()
    booking_approve(booking=booking)
    deadline = started + LINK_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        ready = (
            Meeting.objects.filter(booking_id=booking.pk, is_current=True, status=MeetingStatus.ACTIVE)
            .exclude(join_url="")
            .values_list("is_fallback", flat=True)
            .first()
        )
        if ready is not None:
            return (time.perf_counter() - started) * 1000, ready
        time.sleep(POLL_SECONDS)
    return None, False


def measure(scene: Scene, provider: str, samples: int) -> Result:
    service = service_for(scene, provider)
    for _ in range(WARM_UP):
        confirmation_to_link_ms(scene, service)
    result = Result(provider=provider, latencies_ms=[])
    for _ in range(samples):
        latency, fell_back = confirmation_to_link_ms(scene, service)
        if latency is None:
            result.timeouts += 1
            continue
        result.latencies_ms.append(latency)
        result.fallbacks += fell_back
    return result


def zoom_available() -> str:
    """Why the Zoom row cannot run here, or "" when it can."""
    for module in ("meetings.providers.zoom.provider", "sandbox.zoom", "integrations.services", "gunicorn"):
        if find_spec(module) is None:
            return f"{module} is not installed"
    return ""


def measure_zoom(scene: Scene, samples: int) -> Result:
    from integrations.services import clinic_account_connect
    from sandbox import faults

    clinic_account_connect(
        provider="zoom",
        clinic=scene.clinic,
        account_id="bench-account",
        client_id="bench-s2s-app",
        client_secret="bench-s2s-secret",
    )
    faults.inject("zoom", "meetings.create", "delay", count=WARM_UP + samples, delay_seconds=ZOOM_DELAY_SECONDS)
    result = measure(scene, "zoom", samples)
    result.provider = f"zoom (emulator, +{ZOOM_DELAY_SECONDS * 1000:.0f} ms per create)"
    return result


# --- Reporting ------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| provider | n | p50 ms | p99 ms | max ms | timeouts | fallbacks |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if not result.latencies_ms:
            note = f" ({result.note})" if result.note else ""
            lines.append(f"| {result.provider}{note} | 0 | – | – | – | {result.timeouts} | – |")
            continue
        values = result.latencies_ms
        lines.append(
            f"| {result.provider} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} "
            f"| {max(values):.1f} | {result.timeouts} | {result.fallbacks} |"
        )
    return "\n".join(lines)


def main() -> int:
    # Stopped from outside (bench/run.py's timeout, Ctrl-C): still stop the worker and the web server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=50, help="bookings measured with the self-hosted rooms")
    parser.add_argument("--zoom-samples", type=int, default=30, help="bookings measured with the Zoom emulator")
    args = parser.parse_args()

    database_url = bench_database_url()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    port = free_port()
    # A fresh start for the broker and the cache too (Zoom's per-day call counter lives there).
    env = start_fresh(database_url, redis_url, port)

    results: list[Result] = []
    worker_command, worker_ready = celery_worker()
    scene = build_scene()
    with running("celery-worker", worker_command, env, worker_ready):
        results.append(measure(scene, "selfhosted", args.samples))
        missing = zoom_available()
        if missing:
            results.append(Result(provider="zoom (emulator)", latencies_ms=[], note=f"not available: {missing}"))
        else:
            web_command, web_ready = web_server(port)
            with running("web", web_command, env, web_ready):
                results.append(measure_zoom(scene, args.zoom_samples))

    print("\n## Confirmation to working link, through a real Celery worker on Redis\n")
    print(table(results))
    print(
        f"\nPostgreSQL database {urlsplit(database_url).path.lstrip('/')}, broker {redis_url}, "
        f"{WARM_UP} warm-up bookings per provider not counted; timeouts after {LINK_TIMEOUT_SECONDS:.0f} s."
    )
    return 0 if all(r.timeouts == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
