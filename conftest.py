"""Fixtures shared by the whole suite: named actors, a real Celery worker, a real browser."""

import contextlib
import os
import shutil
import signal
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


@pytest.fixture(autouse=True)
def _no_phone_answers_into_the_next_test():
    """The sandbox's virtual phone answers a prompt when it times out, long after its test may have ended."""
    from sandbox.daraja.delivery import call_off_waiting_answers

    yield
    call_off_waiting_answers()


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
def colleague(clinic):
    """A second practitioner of the clinic, who has connected no account."""
    membership = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="otieno"))
    return PractitionerFactory(membership=membership, display_name="Dr. Otieno Were")


@pytest.fixture
def shared_service(clinic, practitioner, colleague):
    """An online service (in a ClinicPro room) that Dr. Wanjiru Kamau and her colleague both offer."""
    return ServiceFactory(clinic=clinic, name="Shared consultation", practitioners=[practitioner, colleague])


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


BROKERS = ("redis", "rabbitmq")
# Meeting work in worker tests: a due pass every second and leases of a few seconds, so recovery is quick.
WORKER_TEST_SETTINGS = {"MEETINGS_DUE_PASS_SECONDS": "1", "MEETINGS_LEASE_SECONDS": "6", "HTTP_TIMEOUT_SECONDS": "2"}


def _rabbitmq_url(vhost: str) -> str:
    """A RabbitMQ vhost of this test database's own (made when missing), so runs never purge each other's queues."""
    base = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    ctl = shutil.which("rabbitmqctl")
    if ctl and vhost not in subprocess.run([ctl, "-q", "list_vhosts"], capture_output=True, text=True).stdout.split():
        subprocess.run([ctl, "-q", "add_vhost", vhost], check=True)
        subprocess.run([ctl, "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True)
    return base.rstrip("/") + "/" + vhost


def _broker_url(kind: str) -> str:
    from django.db import connection

    return settings.REDIS_URL if kind == "redis" else _rabbitmq_url(connection.settings_dict["NAME"])


def _use_broker(app, url: str) -> None:
    """Point this process's Celery app at `url` (its pooled connections were made for the previous broker)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


class WorkerProcess:
    """`celery worker` with embedded beat in a subprocess, which a test may kill and start again."""

    def __init__(self, app, env: dict[str, str], broker: str, *, supervised: bool = False) -> None:
        self.app, self.env, self.broker = app, env, broker
        # Under bin/supervise, as `make run` and docker compose run it: started again whenever it exits.
        self.supervised = supervised
        self.process: subprocess.Popen | None = None
        self.proxy = None

    def start(self) -> None:
        schedule = ROOT / "var" / f"celerybeat-test-{os.getpid()}"
        schedule.parent.mkdir(exist_ok=True)
        supervisor = [str(ROOT / "bin" / "supervise"), "worker"] if self.supervised else []
        self.process = subprocess.Popen(
            [
                *supervisor,
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clinicpro",
                "worker",
                "--beat",
                "--schedule",
                str(schedule),
                "--pool=threads",
                "--concurrency=4",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}@%h",
                "-l",
                os.environ.get("TEST_WORKER_LOGLEVEL", "warning"),
            ],
            cwd=ROOT,
            env=self.env,
            # Its own process group, so killing it reaches the embedded beat process too.
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while not self.app.control.ping(timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start; is the {self.broker} broker running?")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, unacknowledged messages and leases left behind."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(params=BROKERS)
def celery_broker(request) -> str:
    """Each worker test runs on Redis and on RabbitMQ (the recommended production broker)."""
    return request.param


def _through_proxy(url: str):
    """A proxy in front of the broker at `url`, and the URL that reaches the broker through it."""
    from urllib.parse import urlsplit, urlunsplit

    from meetings.testing.outage import BrokerProxy

    parts = urlsplit(url)
    proxy = BrokerProxy(parts.hostname or "127.0.0.1", parts.port or (6379 if parts.scheme == "redis" else 5672))
    proxy.start()
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return proxy, urlunsplit((parts.scheme, f"{netloc}127.0.0.1:{proxy.port}", parts.path, "", ""))


@pytest.fixture
def celery_worker_process(request, transactional_db, celery_broker):
    """A real worker (with beat) against the test database, on the parametrized broker.

    Needs a transactional test: the worker is another process and only sees committed rows.
    A test marked `broker_outage` reaches the broker through a proxy it can cut (`worker.proxy`), and its
    worker runs under bin/supervise.
    """
    from clinicpro.celery import app

    broker_url = _broker_url(celery_broker)
    proxy = None
    outage = request.node.get_closest_marker("broker_outage") is not None
    if outage:
        proxy, broker_url = _through_proxy(broker_url)
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "clinicpro.test_settings"),
        DATABASE_URL=_database_url_for_worker(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=broker_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        **WORKER_TEST_SETTINGS,
    )
    previous_url = app.conf.broker_url
    _use_broker(app, broker_url)
    app.conf.task_always_eager = False
    app.control.purge()
    # Through an outage the worker runs supervised, as in production: on Redis, kombu can end a worker
    # whose broker connection drops (see the README), and supervision is what brings it back.
    worker = WorkerProcess(app, env, celery_broker, supervised=outage)
    worker.proxy = proxy
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        if proxy is not None:
            proxy.cut()
        app.conf.task_always_eager = True
        _use_broker(app, previous_url)


@pytest.fixture
def celery_worker(celery_worker_process):
    """The Celery app, with a real worker consuming its broker (see celery_worker_process)."""
    return celery_worker_process.app


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


class StandInPlatforms:
    """The meeting platforms as the meetings app reports them: the ClinicPro room for everyone and as the
    backup, Zoom only for the practitioners whose ids are in `zoom_users`."""

    def __init__(self) -> None:
        self.zoom_users: set[int] = set()

    def __call__(self, clinic, practitioner):
        from bookings import hooks

        has_zoom = practitioner is not None and practitioner.pk in self.zoom_users
        return [
            hooks.MeetingPlatform(key="selfhosted", label="ClinicPro room", usable=True),
            hooks.MeetingPlatform(
                key="zoom",
                label="Zoom",
                usable=has_zoom,
                reason="" if has_zoom else "no Zoom connection",
                fix_url="" if has_zoom else "/integrations/",
                fallback_label="ClinicPro room",
            ),
        ]


@pytest.fixture
def web_platforms(monkeypatch):
    """The meeting platforms the service editor offers, as the meetings app would report them."""
    from bookings import hooks

    platforms = StandInPlatforms()
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
