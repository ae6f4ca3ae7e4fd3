"""Settings for the test suite: production settings with test secrets and PostgreSQL.

DEBUG stays off so tests see what production does. Each default can be
overridden from the environment (another DATABASE_URL, a REDIS_URL database).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "k" * 60)
# Two keys so the rotation path is always exercised: the first encrypts, both decrypt.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "dGVzdC1rZXktb25lLWNsaW5pY3Byby0wMDAwMDAwMDA=,dGVzdC1rZXktdHdvLWNsaW5pY3Byby0wMDAwMDAwMDA=",
)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinicpro")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")


def _redis_url_of_this_test_process(url: str, process: str) -> str:
    """Under pytest-xdist (gw0, gw1, ...) each test process takes the next Redis database of its own.

    Broker queues, cache and locks then stay apart, as the test databases (suffixed by pytest-django) and the
    RabbitMQ vhosts (named after them) do. Processes the tests start inherit the URL already moved.
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(process.removeprefix("gw"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
if _TEST_PROCESS.startswith("gw") and os.environ.get("CLINICPRO_TEST_REDIS_PROCESS") != _TEST_PROCESS:
    os.environ["REDIS_URL"] = _redis_url_of_this_test_process(os.environ["REDIS_URL"], _TEST_PROCESS)
    os.environ["CLINICPRO_TEST_REDIS_PROCESS"] = _TEST_PROCESS
os.environ.setdefault("SANDBOX_ENABLED", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The live test server speaks plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")
# Any outbound call made inside a database transaction fails the test that made it.
os.environ.setdefault("HTTP_REFUSE_IN_TRANSACTION", "1")
# Live servers and worker processes close their connections after each request or task, so nothing
# holds the test database open when it is dropped.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")

from .settings import *  # noqa: F403, E402  (the environment above must be set first)
from .settings import env  # noqa: E402

# Most tests run tasks in-process; worker tests start a real worker and turn this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INSTALLED_APPS = [*INSTALLED_APPS, "clinicpro.testing"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Static files come from the app folders as in development: the suite never runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A test database needs no durability: commits don't wait for the WAL flush (worker processes read the
# same settings), which keeps the many transactional tests' commits and table flushes cheap.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
