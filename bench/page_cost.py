"""CPU one request costs: the web process and its PostgreSQL backend, prepared statements on and off.

Requests go through Django's test client in one process, one at a time, so the time each side
spends is its own: the process's CPU time, and the backend's from /proc (this machine's PostgreSQL).
A trivial view ("ok", no database) is measured beside the pages in the same run. The clinic is
the one bench/pages.py builds, at --bookings bookings (each online one with its meeting).

    python bench/page_cost.py [--bookings 10000] [--requests 100] [--repeats 5]

Each figure is the median of --repeats rounds of --requests requests. Environment: as bench/pages.py
(DATABASE_URL's server, database BENCH_PAGES_DATABASE, default clinicpro_bench_pages, recreated).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import pages  # noqa: E402
from _support import recreate_database  # noqa: E402

PAGES = {
    "trivial view": "/bench/trivial/",
    "clinic dashboard": "/c/bench/",
    "bookings list": "/c/bench/bookings/",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(pid: int) -> float:
    """User and system CPU of a local PostgreSQL backend, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def measure(requests: int, repeats: int) -> None:
    """In a child whose settings chose prepared statements or not: print one line per page."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="owner"))
    for name, path in PAGES.items():
        for _ in range(30):  # warm: templates compiled, statements prepared
            assert client.get(path, HTTP_HOST="127.0.0.1").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        rounds = []
        for _ in range(repeats):
            ours, theirs = time.process_time(), backend_cpu_seconds(backend)
            for _ in range(requests):
                client.get(path, HTTP_HOST="127.0.0.1")
            rounds.append(
                (
                    (time.process_time() - ours) * 1000 / requests,
                    (backend_cpu_seconds(backend) - theirs) * 1000 / requests,
                )
            )
        python = statistics.median(r[0] for r in rounds)
        postgres = statistics.median(r[1] for r in rounds)
        print(f"{name}\t{python:.2f}\t{postgres:.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.requests, args.repeats)
        return 0

    database_url = pages.bench_database_url()
    recreate_database(database_url)
    env = pages.configure_environment(database_url)
    import django

    django.setup()
    pages.World().grow_to(args.bookings)

    print(f"\nCPU per request at {args.bookings:,} bookings, median of {args.repeats} x {args.requests} requests")
    print(f"{'page':<18} {'prepared':>8} {'python ms':>10} {'postgres ms':>12} {'total ms':>9} {'cost / trivial':>14}")
    for prepared in ("1", "0"):
        child = subprocess.run(
            [sys.executable, __file__, "--measure", "--requests", str(args.requests), "--repeats", str(args.repeats)],
            env={**env, "DB_PREPARED_STATEMENTS": prepared},
            capture_output=True,
            text=True,
            check=True,
        )
        rows = [line.split("\t") for line in child.stdout.splitlines() if line.count("\t") == 2]
        trivial = sum(float(v) for v in rows[0][1:])
        for name, python, postgres in rows:
            total = float(python) + float(postgres)
            answer = "yes" if prepared == "1" else "no"
            print(f"{name:<18} {answer:>8} {python:>10} {postgres:>12} {total:9.2f} {total / trivial:14.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
