"""Requests per second of the main pages at 1,000 and at 10,000 bookings, beside a trivial view.

gunicorn (2 sync workers, the shipped gunicorn.conf.py) serves the app on PostgreSQL; 16 client
threads request one page at a time for a few seconds each. The same server, in the same run, also
serves a view that returns "ok" without touching the database: each page's ratio to it says how
much of a request is our own work. The clinic is seeded with 1,000 bookings (each online one with
its meeting), measured, grown to 10,000, and measured again.

    python bench/pages.py [--seconds 5] [--connections 16] [--sizes 1000,10000]

Environment: DATABASE_URL names the PostgreSQL server (its database name is replaced by
BENCH_PAGES_DATABASE, default clinicpro_bench_pages, dropped and created each run);
BENCH_REDIS_URL (default redis://127.0.0.1:6379/14) is the cache; DB_CONN_MAX_AGE (default 60, the
production default) how long a web process keeps its database connection (0: one per request).
With --connections 1 the p50 column is one request's own time on the server.
"""

import argparse
import http.client
import math
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH_DIR)]

from _support import free_port, percentile, recreate_database  # noqa: E402
from meeting_latency import running, wait_until  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinicpro"
SLOT_MINUTES = 30
SLOTS_PER_DAY = 16  # 08:00-16:00 local
PRACTITIONERS = 4
BOOKINGS_PER_PATIENT = 5


def bench_database_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = os.environ.get("BENCH_PAGES_DATABASE", "clinicpro_bench_pages")
    return urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))


def configure_environment(database_url: str) -> dict[str, str]:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "_pages_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            "SANDBOX_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            # The production default (the test settings the bench builds on open one per request).
            "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH_DIR)]),
        }
    )
    return os.environ.copy()


# --- Data -------------------------------------------------------------------------------


class World:
    """The bench clinic: an owner, four practitioners, two services, and a growing history."""

    def __init__(self) -> None:
        from django.core.management import call_command
        from django.test import Client

        from clinicpro.models import Role
        from clinicpro.testing.factories import (
            ClinicFactory,
            MembershipFactory,
            PractitionerFactory,
            ServiceFactory,
            UserFactory,
        )

        call_command("migrate", verbosity=0)
        self.clinic = ClinicFactory(name="Bench Clinic", slug="bench")
        self.owner = MembershipFactory(clinic=self.clinic, role=Role.OWNER, user=UserFactory(username="owner")).user
        self.practitioners = [
            PractitionerFactory(membership=MembershipFactory(clinic=self.clinic, role=Role.PRACTITIONER))
            for _ in range(PRACTITIONERS)
        ]
        self.services = [
            ServiceFactory(clinic=self.clinic, name="Online consultation", practitioners=self.practitioners),
            ServiceFactory(clinic=self.clinic, name="Clinic visit", is_online=False, practitioners=self.practitioners),
        ]
        client = Client()
        client.force_login(self.owner)
        self.session_cookie = client.cookies["sessionid"].value

    def grow_to(self, total: int) -> None:
        """Give the clinic `total` bookings, 60% in the past and 40% ahead, none overlapping."""
        from django.db import connection
        from django.utils import timezone

        from bookings.models import Booking, BookingStatus, Patient

        now = timezone.now()
        days = math.ceil(total / (SLOTS_PER_DAY * PRACTITIONERS))
        first_day = (now - timedelta(days=int(days * 0.6))).astimezone(self.clinic.zone)
        first_day = first_day.replace(hour=8, minute=0, second=0, microsecond=0)
        wanted = math.ceil(total / BOOKINGS_PER_PATIENT)
        have = Patient.objects.filter(clinic=self.clinic).count()
        Patient.objects.bulk_create(
            Patient(clinic=self.clinic, name=f"Patient {n}", email=f"p{n}@example.com", phone="+254712345678")
            for n in range(have, wanted)
        )
        patients = list(Patient.objects.filter(clinic=self.clinic).order_by("pk"))
        rows = []
        for n in range(total):
            day, slot = divmod(n // PRACTITIONERS, SLOTS_PER_DAY)
            starts_at = first_day + timedelta(days=day, minutes=SLOT_MINUTES * slot)
            ends_at = starts_at + timedelta(minutes=SLOT_MINUTES)
            service = self.services[n % 2]
            if starts_at < now:
                status = [BookingStatus.COMPLETED, BookingStatus.COMPLETED, BookingStatus.CANCELLED][n % 3]
            else:
                status = [BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.PENDING][n % 3]
            rows.append(
                Booking(
                    clinic=self.clinic,
                    service=service,
                    service_name=service.name,  # as Booking.save() would record it
                    practitioner=self.practitioners[n % PRACTITIONERS],
                    patient=patients[n // BOOKINGS_PER_PATIENT],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    blocked_from=starts_at,
                    blocked_until=ends_at,
                    status=status,
                    is_online=service.is_online,
                    price=1500,
                )
            )
        # The days are laid out from a start that depends on the total: replace the history whole.
        Booking.objects.filter(clinic=self.clinic).delete()
        Booking.objects.bulk_create(rows, batch_size=2000)
        self.give_meetings(Booking.objects.filter(clinic=self.clinic, is_online=True))
        # What autovacuum does within a minute of such a change; pages are measured in that steady state.
        # A vacuum cannot mark pages all-visible while another session (autovacuum analysing the new
        # rows, say) holds an older snapshot, so it is repeated until the bookings' pages all are.
        with connection.cursor() as cursor:
            for _ in range(20):
                cursor.execute("VACUUM ANALYZE")
                cursor.execute("SELECT relallvisible >= relpages FROM pg_class WHERE relname = 'bookings_booking'")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.5)

    @staticmethod
    def give_meetings(online_bookings) -> None:
        """Each online booking's room, as the meetings app leaves it: ready, or cancelled and deleted."""
        from bookings.models import BookingStatus
        from meetings.models import Meeting, MeetingStatus

        meetings = []
        for booking in online_bookings.only("pk", "status", "starts_at", "ends_at"):
            cancelled = booking.status == BookingStatus.CANCELLED
            meetings.append(
                Meeting(
                    booking=booking,
                    provider="selfhosted",
                    status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.ACTIVE,
                    external_id=f"bench-{booking.pk}",
                    join_url=f"http://127.0.0.1/room/bench-{booking.pk}",
                    scheduled_starts_at=booking.starts_at,
                    scheduled_ends_at=booking.ends_at,
                    cancelled_at=booking.starts_at if cancelled else None,
                    provider_deleted_at=booking.starts_at if cancelled else None,
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=2000)

    def pages(self) -> dict[str, str]:
        from django.utils import timezone

        from bookings.models import Booking, BookingStatus

        upcoming = (
            Booking.objects.filter(clinic=self.clinic, status=BookingStatus.CONFIRMED, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            raise SystemExit("The clinic has no upcoming confirmed booking: use --sizes of 1000 or more.")
        service, practitioner = self.services[0], self.practitioners[0]
        return {
            "trivial view": "/bench/trivial/",
            "public booking page": f"/book/bench/?service={service.pk}&practitioner={practitioner.pk}",
            "manage page": f"/b/{upcoming.token}/",
            "clinic dashboard": "/c/bench/",
            "bookings list": "/c/bench/bookings/",
            "booking page": f"/c/bench/bookings/{upcoming.pk}/",
        }


# --- Load ---------------------------------------------------------------------------------


def hammer(port: int, path: str, cookie: str, *, seconds: float, connections: int) -> tuple[float, list[float], int]:
    """`connections` threads GET `path` back to back for `seconds`: (requests/s, latencies in ms, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            finally:
                connection.close()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - began), latencies, errors


def web_server(port: int):
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "clinicpro.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync", "--log-level", "warning"]

    def answers() -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/trivial/", headers={"Host": "127.0.0.1"})
            return connection.getresponse().status == 200
        except OSError:
            return False

    def ready(process) -> None:
        wait_until(answers, timeout=40, what="The web server", process=process)

    return command, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    database_url = bench_database_url()
    recreate_database(database_url)
    env = configure_environment(database_url)
    import django

    django.setup()
    world = World()
    port = free_port()
    results: dict[str, dict[int, tuple[float, float, float, int]]] = {}
    command, ready = web_server(port)
    with running("pages-web", command, env, ready):
        for size in sizes:
            world.grow_to(size)
            for name, path in world.pages().items():
                hammer(port, path, world.session_cookie, seconds=1, connections=args.connections)  # warm up
                rate, latencies, errors = hammer(
                    port, path, world.session_cookie, seconds=args.seconds, connections=args.connections
                )
                results.setdefault(name, {})[size] = (
                    rate,
                    percentile(latencies, 50),
                    percentile(latencies, 99),
                    errors,
                )
                print(f"  {size:>6} bookings  {name:<20} {rate:8.1f} req/s", flush=True)
    print_table(results, sizes, args)
    return 0 if all(r[3] == 0 for by_size in results.values() for r in by_size.values()) else 1


def print_table(results: dict[str, dict[int, tuple[float, float, float, int]]], sizes: list[int], args) -> None:
    trivial = results["trivial view"]
    print(f"\ngunicorn 2 sync workers, {args.connections} connections, {args.seconds:.0f} s per page, PostgreSQL")
    print(f"{'page':<20} {'bookings':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x trivial':>10} {'errors':>6}")
    for name, by_size in results.items():
        for size in sizes:
            rate, p50, p99, errors = by_size[size]
            ratio = rate / trivial[size][0]
            print(f"{name:<20} {size:>8} {rate:8.1f} {p50:8.1f} {p99:8.1f} {ratio:10.3f} {errors:>6}")
        if len(sizes) > 1:
            change = by_size[sizes[-1]][0] / by_size[sizes[0]][0]
            print(f"{'':<20} {'':>8} {'':>8} at {sizes[-1]:,} bookings: {change:.0%} of the {sizes[0]:,} figure")


if __name__ == "__main__":
    sys.exit(main())
