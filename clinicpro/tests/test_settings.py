"""Settings come from the environment and refuse unsafe production values.

Each case starts a fresh Python with exactly the environment it names, since
settings are read once at start-up.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "-production-grade-secret-key-0123456789-abcdefghij"
FIELD_KEY = Fernet.generate_key().decode()
PRODUCTION = {
    "SECRET_KEY": STRONG_KEY,
    "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
    "ALLOWED_HOSTS": "clinic.example.com",
    "SANDBOX_ENABLED": "0",
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run with a clean environment: only PATH, HOME, and what the test gives."""
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def load_settings(env: dict[str, str], tmp_path: Path, expression: str = "'loaded'") -> subprocess.CompletedProcess:
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'clinicpro.settings'; django.setup(); "
        f"from django.conf import settings; print(repr(({expression})))"
    )
    return run(["-c", code], env, tmp_path)


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}, "SECRET_KEY must be set"),
        (
            {**PRODUCTION, "SECRET_KEY": "dev-only-secret-key-clinicpro-not-for-production-use-0123456789"},
            "SECRET_KEY must be set",
        ),
        ({**PRODUCTION, "SECRET_KEY": "too-short-0123456789"}, "at least 50 characters"),
        ({k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEYS"}, "FIELD_ENCRYPTION_KEYS must list"),
        ({**PRODUCTION, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, "not a Fernet key"),
    ],
    ids=["no-secret-key", "dev-secret-key", "short-secret-key", "no-field-keys", "bad-field-key"],
)
def test_unsafe_production_settings_are_refused(env, complaint, tmp_path):
    result = load_settings(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = load_settings(PRODUCTION, tmp_path, "settings.DEBUG, settings.SESSION_COOKIE_SECURE")
    assert result.stdout.strip() == "(False, True)", result.stderr


def test_secrets_are_read_from_name_file_without_the_trailing_newline(tmp_path):
    (tmp_path / "secret_key").write_text(STRONG_KEY + "\n")
    (tmp_path / "field_keys").write_text(FIELD_KEY + "\n")
    env = {
        **PRODUCTION,
        "SECRET_KEY_FILE": str(tmp_path / "secret_key"),
        "FIELD_ENCRYPTION_KEYS_FILE": str(tmp_path / "field_keys"),
    }
    del env["SECRET_KEY"], env["FIELD_ENCRYPTION_KEYS"]
    result = load_settings(env, tmp_path, "repr(settings.SECRET_KEY), settings.FIELD_ENCRYPTION_KEYS")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr((repr(STRONG_KEY), [FIELD_KEY]))


def test_the_embedded_default_is_sqlite_with_inline_tasks_and_local_cache(tmp_path):
    result = load_settings(
        {"DEBUG": "1"},
        tmp_path,
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CACHES['default']['BACKEND']",
    )
    # (run() points DATABASE_URL at a file; without it the file lives under var/)
    assert "sqlite3" in result.stdout and "True" in result.stdout and "LocMemCache" in result.stdout, result.stderr


def test_with_database_and_redis_urls_it_uses_postgres_redis_and_a_real_worker(tmp_path):
    result = load_settings(
        {**PRODUCTION, "DATABASE_URL": "postgres://u:p@db:5432/clinicpro", "REDIS_URL": "redis://redis:6379/0"},
        tmp_path,
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL, "
        "settings.CACHES['default']['BACKEND']",
    )
    assert result.stdout.strip() == repr(
        ("django.db.backends.postgresql", False, "redis://redis:6379/0", "django.core.cache.backends.redis.RedisCache")
    ), result.stderr


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_warns_when_the_sandbox_is_mounted(tmp_path):
    result = run(["manage.py", "check", "--deploy"], {**PRODUCTION, "SANDBOX_ENABLED": "1"}, tmp_path)
    assert "clinicpro.W001" in result.stderr


def test_proxy_ssl_header_is_trusted_only_when_configured(tmp_path):
    expression = "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)"
    assert load_settings(PRODUCTION, tmp_path, expression).stdout.strip() == "None"
    with_proxy = load_settings({**PRODUCTION, "USE_X_FORWARDED_PROTO": "1"}, tmp_path, expression)
    assert with_proxy.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_google_login_switched_on_without_credentials_fails_the_checks(tmp_path):
    result = run(["manage.py", "check"], {**PRODUCTION, "GOOGLE_LOGIN_ENABLED": "1"}, tmp_path)
    assert result.returncode != 0
    assert "clinicpro.E001" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}")
