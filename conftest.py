"""Fixtures shared by the whole suite: named actors, a real Celery worker, a real browser."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from clinicpro.models import Role
from clinicpro.testing.factories import (
    ClinicFactory,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    """Fail early, and say how to fix it, when PostgreSQL does not answer."""
    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        pytest.exit(
            "PostgreSQL is not answering at "
            f"{db.get('HOST') or 'the local socket'}:{db.get('PORT') or 5432} ({exc}).\n"
            "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
            "or point DATABASE_URL at a running server.",
            returncode=2,
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


# --- Named actors -----------------------------------------------------------------


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Uhuru Health", slug="uhuru")


@pytest.fixture
def owner(clinic):
    return MembershipFactory(clinic=clinic, role=Role.OWNER, user=UserFactory(username="owner")).user


@pytest.fixture
def practitioner(clinic):
    membership = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="wanjiru"))
    return PractitionerFactory(membership=membership, display_name="Dr. Wanjiru Kamau")


@pytest.fixture
def service(clinic, practitioner):
    return ServiceFactory(clinic=clinic, name="Online consultation", practitioners=[practitioner])


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Mombasa Care", slug="mombasa")


@pytest.fixture
def stranger(other_clinic):
    """An owner of another clinic: must never see anything of `clinic`."""
    return MembershipFactory(clinic=other_clinic, role=Role.OWNER, user=UserFactory(username="stranger")).user


# --- A real Celery worker on Redis --------------------------------------------------


def _database_url_for_worker() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db):
    """Start `celery worker` in a subprocess against the test database and Redis.

    Needs a transactional test: the worker is another process and only sees committed rows.
    """
    from clinicpro.celery import app

    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "clinicpro.test_settings"),
        DATABASE_URL=_database_url_for_worker(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    app.conf.task_always_eager = False
    app.control.purge()
    hostname = f"test-{os.getpid()}@%h"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinicpro",
            "worker",
            "--pool=threads",
            "--concurrency=4",
            "--without-gossip",
            "--without-mingle",
            "-n",
            hostname,
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The Celery worker did not start; is Redis running at " + settings.REDIS_URL + "?")
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.task_always_eager = True


# --- A real browser -------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Playwright cannot download its own browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with 'apt-get install chromium'.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must not take the test thread for async.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# --- Booking pages: stand-ins for the apps that fill bookings.hooks -----------------------


@pytest.fixture
def web_platforms(monkeypatch):
    """The meeting platforms the service editor offers, as the meetings app would report them."""
    from bookings import hooks

    def platforms(clinic, practitioner):
        return [
            hooks.MeetingPlatform(key="selfhosted", label="ClinicPro room", usable=True),
            hooks.MeetingPlatform(
                key="zoom",
                label="Zoom",
                usable=False,
                reason="Connect your Zoom account first.",
                fix_url="/integrations/",
            ),
        ]

    monkeypatch.setattr(hooks, "_platform_sources", [platforms])
    return platforms


@pytest.fixture
def web_conference(monkeypatch, settings):
    """A meeting link for every confirmed online booking, one per role, as the meetings app would give."""
    from bookings import hooks
    from bookings.models import BookingStatus

    def conference(booking, role):
        if not booking.is_online or booking.status != BookingStatus.CONFIRMED:
            return None
        return hooks.Conference(
            join_url=f"{settings.SITE_URL}/j/{role}-{booking.pk}",
            provider_label="ClinicPro room",
            status="active",
            status_label="Ready",
        )

    monkeypatch.setattr(hooks, "_conference_sources", [conference])
    return conference


@pytest.fixture
def make_booking(django_capture_on_commit_callbacks, service, practitioner):
    """Book through the service at any time (no availability check); the service's policy sets the status."""
    from bookings import services

    def make(starts_at, *, on=None, who=None, name="Achieng Otieno", email="achieng@example.com", phone="0712 345 678"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.booking_create(
                service=on or service,
                practitioner=who or practitioner,
                starts_at=starts_at,
                patient_name=name,
                patient_email=email,
                patient_phone=phone,
                enforce_availability=False,
            )

    return make
