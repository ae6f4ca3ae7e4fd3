"""What every benchmark needs before it measures: a fresh database, a free port, Django on them, percentiles."""

import math
import os
import socket
from urllib.parse import urlsplit


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure_environment(database_url: str, redis_url: str, port: int, **extra: str) -> dict[str, str]:
    """The test settings on the bench's own database and Redis, with a real broker and the sandbox on `port`."""
    site = f"http://127.0.0.1:{port}"
    values = {
        "DJANGO_SETTINGS_MODULE": "clinicpro.test_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SANDBOX_ENABLED": "1",
        "INTEGRATIONS_USE_SANDBOX": "1",
        "SITE_URL": site,
        "SANDBOX_BASE_URL": f"{site}/sandbox",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    os.environ.update(values)
    return os.environ.copy()


def start_fresh(database_url: str, redis_url: str, port: int, **extra: str) -> dict[str, str]:
    """A new database, migrated; an empty cache and broker queue; tasks sent to a real worker. Returns the env."""
    recreate_database(database_url)
    env = configure_environment(database_url, redis_url, port, **extra)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from clinicpro.celery import app

    call_command("migrate", verbosity=0, interactive=False)
    cache.clear()
    app.conf.task_always_eager = False
    app.control.purge()
    return env


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
