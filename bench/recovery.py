"""Recovery after a dead worker and after a broker outage, through a real worker, beat and the Zoom emulator.

Two scenes, each a batch of confirmations (the real `booking_approve` service)
whose meetings are made at the Zoom emulator (every create takes an extra 100 ms):

- the worker (and its beat) is killed with SIGKILL mid-batch and started again 5 s later;
- the broker (a Redis server of the benchmark's own, on a free port) is stopped for 30 s
  while confirmations go on, then started again.

For each it prints the time from the worker or broker coming back until every
booking has its working link, and what the emulator holds: orphans (live Zoom
meetings no booking owns) and duplicates (bookings with more than one live Zoom meeting).
The worker runs under bin/supervise, as `make run` runs it.

    python bench/recovery.py [--bookings 200] [--outage 30]

Environment: DATABASE_URL names the PostgreSQL server (database BENCH_DATABASE, default
clinicpro_bench_recovery, dropped and created); BENCH_REDIS_URL (default redis://127.0.0.1:6379/14)
is the cache; the broker is a private redis-server.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _support  # noqa: E402
import meeting_latency as common  # noqa: E402

LINK_TIMEOUT_SECONDS = 300.0
ZOOM_DELAY_SECONDS = 0.1


class Broker:
    """A redis-server of our own, so stopping it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = _support.free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("The benchmark's redis-server did not start.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        common.LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = (common.LOG_DIR / "recovery-worker.log").open("a")
        command = [str(ROOT / "bin" / "supervise"), "worker", sys.executable, "-m", "celery", "-A", "clinicpro"]
        command += ["worker", "--beat", "--schedule", str(common.LOG_DIR / "recovery-beat"), "--pool=threads"]
        command += ["--concurrency=4", "--without-gossip", "--without-mingle", "-l", "warning"]
        # Its own process group: a SIGKILL reaches the worker itself, as a crash or an OOM kill would.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill_worker(self) -> None:
        """SIGKILL the celery process (the supervisor would restart it; here it is stopped too, then restarted)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def confirm(scene: common.Scene, service: object, count: int) -> list[int]:
    from bookings.services import booking_approve

    pending = [scene.pending_booking(service) for _ in range(count)]
    for booking in pending:
        booking_approve(booking=booking)
    return [b.pk for b in pending]


def linked(booking_ids: list[int]) -> int:
    from meetings.models import Meeting, MeetingStatus

    return (
        Meeting.objects.filter(booking_id__in=booking_ids, is_current=True, status=MeetingStatus.ACTIVE)
        .exclude(join_url="")
        .count()
    )


def wait_all_linked(booking_ids: list[int]) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < LINK_TIMEOUT_SECONDS:
        if linked(booking_ids) == len(booking_ids):
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def vendor_counts(booking_ids: list[int]) -> tuple[int, int, int]:
    """(these bookings' live Zoom meetings, orphans anywhere at Zoom, duplicates among these bookings)."""
    from meetings.models import Meeting, MeetingStatus
    from sandbox.models import ZoomMeeting

    # Owned: the working Zoom meeting of any booking (earlier scenes' bookings included).
    current = Meeting.objects.filter(is_current=True, status=MeetingStatus.ACTIVE, provider="zoom")
    owned = dict(current.values_list("external_id", "booking_id"))
    live = [str(m.meeting_id) for m in ZoomMeeting.objects.filter(deleted_at__isnull=True)]
    orphans = [m for m in live if m not in owned]
    mine = set(booking_ids)
    per_booking = Counter(owned[m] for m in live if m in owned and owned[m] in mine)
    return sum(n for n in per_booking.values()), len(orphans), sum(n - 1 for n in per_booking.values() if n > 1)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--outage", type=float, default=30.0)
    args = parser.parse_args()

    os.environ.setdefault("BENCH_DATABASE", "clinicpro_bench_recovery")
    database_url = common.bench_database_url()
    cache_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    port = _support.free_port()
    _support.recreate_database(database_url)
    broker = Broker()
    broker.start()
    env = _support.configure_environment(database_url, cache_url, port)
    # Zoom's 100 meetings per user per day would move most of the batch to rooms: lift it, here and at the emulator.
    env["ZOOM_DAILY_MEETING_LIMIT"] = os.environ["ZOOM_DAILY_MEETING_LIMIT"] = "1000000"
    env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"] = broker.url

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from integrations.services import clinic_account_connect
    from sandbox import faults
    from sandbox.models import Account

    call_command("migrate", verbosity=0, interactive=False)
    cache.clear()
    scene = common.build_scene()
    service = common.service_for(scene, "zoom")
    rows = []
    worker = Worker(env)
    web_command, web_ready = common.web_server(port)
    try:
        with common.running("recovery-web", web_command, env, web_ready):
            clinic_account_connect(
                clinic=scene.clinic,
                provider="zoom",
                account_id="bench-account",
                client_id="bench-s2s-app",
                client_secret="bench-s2s-secret",
            )
            Account.objects.filter(service="zoom").update(daily_meeting_limit=1_000_000)
            faults.inject("zoom", "meetings.create", "delay", count=None, delay_seconds=ZOOM_DELAY_SECONDS)
            worker.start()
            time.sleep(8)
            # 1. The worker is killed mid-batch.
            batch = confirm(scene, service, args.bookings)
            while linked(batch) < len(batch) // 4:
                time.sleep(0.1)
            at_kill = linked(batch)
            worker.kill_worker()
            time.sleep(5)
            worker.start()
            took = wait_all_linked(batch)
            rows.append(("worker SIGKILL mid-batch", len(batch), at_kill, took, *vendor_counts(batch)))
            # 2. The broker is down for a while, confirmations go on.
            first = confirm(scene, service, args.bookings // 2)
            broker.stop()
            down_at = time.monotonic()
            second = confirm(scene, service, args.bookings - len(first))
            time.sleep(max(args.outage - (time.monotonic() - down_at), 0))
            outage = time.monotonic() - down_at
            batch2 = first + second
            at_back = linked(batch2)
            broker = Broker.__new__(Broker)
            broker.port, broker.process = int(env["CELERY_BROKER_URL"].rsplit(":", 1)[1].split("/")[0]), None
            broker.start()
            took = wait_all_linked(batch2)
            rows.append((f"broker down {outage:.0f} s", len(batch2), at_back, took, *vendor_counts(batch2)))
    finally:
        worker.stop()
        broker.stop()

    print("\n## Recovery: time from the worker or broker coming back until every booking has its link\n")
    print("| scene | bookings | linked when back | all linked after (s) | live Zoom meetings | orphans | duplicates |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scene_name, count, before, took, live, orphans, duplicates in rows:
        shown = f"{took:.1f}" if took is not None else f"> {LINK_TIMEOUT_SECONDS:.0f}"
        print(f"| {scene_name} | {count} | {before} | {shown} | {live} | {orphans} | {duplicates} |")
    print(f"\nZoom emulator +{ZOOM_DELAY_SECONDS * 1000:.0f} ms per create; defaults for the due pass and leases.")
    return 0 if all(r[3] is not None and r[5] == 0 and r[6] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
