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

from .settings import *  # noqa: F403
from .settings import env

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
