"""Run as a script against a fresh SQLite database: many patients book at the same moment.

Prints one line per attempt ("booked", "taken" or the error), for clinicpro/tests/test_sqlite_demo.py.
"""

import threading
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from bookings.errors import SlotTaken  # noqa: E402
from bookings.services import booking_create  # noqa: E402
from clinicpro.models import Role  # noqa: E402
from clinicpro.testing.factories import (  # noqa: E402
    ClinicFactory,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)

RACERS = 8

call_command("migrate", verbosity=0)
print("journal_mode", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
clinic = ClinicFactory(slug="race")
practitioners = [
    PractitionerFactory(membership=MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory()))
    for _ in range(RACERS // 2)
]
service = ServiceFactory(clinic=clinic, practitioners=practitioners)
start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
barrier = threading.Barrier(RACERS)
outcomes: list[str] = []


def book(n: int) -> None:
    try:
        barrier.wait()
        booking_create(
            service=service,
            practitioner=practitioners[n % len(practitioners)],
            starts_at=start,
            patient_name=f"Patient {n}",
            patient_email=f"p{n}@example.com",
            patient_phone="0712 345 678",
            enforce_availability=False,
        )
        outcomes.append("booked")
    except SlotTaken:
        outcomes.append("taken")
    except Exception as exc:  # the outcome under test: any error is printed, not raised
        outcomes.append(f"error {type(exc).__name__} {exc}")
    finally:
        connections.close_all()


threads = [threading.Thread(target=book, args=(n,)) for n in range(RACERS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\n".join(outcomes))
