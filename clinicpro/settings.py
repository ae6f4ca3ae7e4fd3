"""ClinicPro settings, read from the environment.

Safe by default: DEBUG is off unless asked for, and outside DEBUG the secrets
must be given. Every secret can also come from a file named by `<NAME>_FILE`
(Docker and Kubernetes secrets), which django-environ's FileAwareEnv reads.
"""

from pathlib import Path

import environ
import jinja2
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from environ.fileaware_mapping import FileAwareMapping

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


class _SecretFiles(FileAwareMapping):
    """`NAME_FILE` support that drops the trailing newline most secret files end with."""

    def __getitem__(self, key: str) -> str:
        value = super().__getitem__(key)
        return value.strip() if self.env.get(key + "_FILE") else value


class _Env(environ.FileAwareEnv):
    ENVIRON = _SecretFiles()


env = _Env()

DEBUG = env.bool("DEBUG", default=False)

# Development-only fallbacks; refused below when DEBUG is off.
_DEV_SECRET_KEY = "dev-only-secret-key-clinicpro-not-for-production-use-0123456789"
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNsaW5pY3Byby0wMDE="

SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY] if DEBUG else [])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
        )
    if not FIELD_ENCRYPTION_KEYS or _DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must list one or more Fernet keys when DEBUG is off "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )

for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes): {exc}"
        ) from None

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for links that leave the site (emails, SMS, callbacks, OAuth redirects).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "django_htmx",
    "clinicpro",
    "bookings",
    "meetings",
    "payments",
    "integrations",
    "notifications",
    "api",
]

SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=DEBUG)
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("sandbox")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "clinicpro.urls"
WSGI_APPLICATION = "clinicpro.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinicpro.context_processors.navigation",
            ],
        },
    },
    # Jinja2 renders the bookings table, the staff pages' one long loop (bookings.table_rows), in a
    # quarter of the time Django's engine takes; the pages around it stay Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        # A misspelt name fails loudly rather than rendering as an empty cell.
        "OPTIONS": {"undefined": jinja2.StrictUndefined},
    },
]

# --- Data stores ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clinicpro.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A web or worker process keeps its connection between requests: opening one per request costs the
# server a new backend each time, several times what a dashboard's own queries cost.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable server should fail a request (and /healthz) quickly, not hang it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server, and a statement run a few times on a connection prepared: a
        # page's queries are then planned once per web process, not on every request. A PgBouncer older
        # than 1.21 in transaction pooling cannot carry prepared statements; behind one, set it to 0.
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo database serves several people at once: readers never wait for the writer
    # (WAL), a writer waits its turn instead of failing with "database is locked" (busy timeout), and
    # a transaction takes the write lock when it begins, so two cannot deadlock upgrading from a read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------------
# Without a broker the tasks run in-process, so the demo works with no services at all.
# CELERY_BROKER_URL defaults to REDIS_URL; set it to an amqp:// URL to use RabbitMQ instead.
_IN_PROCESS_BROKER = "memory://localhost/"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or _IN_PROCESS_BROKER)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == _IN_PROCESS_BROKER)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# On a lost broker connection, tasks still running cannot ack on the dead channel; cancel them so the broker
# redelivers them (every task is idempotent), and keep the full prefetch window on reconnect: with the
# temporary reduction, a worker on RabbitMQ was seen to stop consuming after a short outage.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_ENABLE_PREFETCH_COUNT_REDUCTION = False
# A publish to a broker that is down fails at once instead of blocking the request for seconds: work that
# must happen is a row already, and the next pass runs it. (Workers reconnect through their own retry loop.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0}
# Every publish is only the fast path (the work is a row already), so with the broker down a request must not
# wait out Celery's default three spaced retries for each task it queues: one immediate retry, which is what
# a pooled connection the broker dropped needs, and then the beat passes take over.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
CELERY_TIMEZONE = "UTC"
# /healthz reports the worker as stale when beat's heartbeat task has not run for this long.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "clinicpro.tasks.record_worker_heartbeat", "schedule": 30.0},
    "expire-payment-holds": {"task": "bookings.tasks.expire_holds", "schedule": 60.0},
    "sweep-missing-meetings": {"task": "meetings.tasks.sweep_missing_meetings", "schedule": crontab(minute="*")},
    "send-due-messages": {"task": "notifications.tasks.send_due_messages", "schedule": 30.0},
    "plan-reminders": {"task": "notifications.tasks.plan_reminders", "schedule": 300.0},
}

# --- Auth ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard_home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "clinicpro.accounts.AccountAdapter"
GOOGLE_LOGIN_ENABLED = env.bool("GOOGLE_LOGIN_ENABLED", default=False)
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": [
            {
                "client_id": env.str("GOOGLE_LOGIN_CLIENT_ID", default=""),
                "secret": env.str("GOOGLE_LOGIN_CLIENT_SECRET", default=""),
            }
        ]
        if GOOGLE_LOGIN_ENABLED
        else [],
        "SCOPE": ["profile", "email"],
    }
}

# --- Email ---------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=("sandbox.mailbox.EmailBackend" if SANDBOX_ENABLED else "django.core.mail.backends.console.EmailBackend")
    if DEBUG
    else "anymail.backends.amazon_ses.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ClinicPro <no-reply@clinicpro.local>")
ANYMAIL = env.dict("ANYMAIL", default={})

# --- I18N, static -----------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "Africa/Nairobi"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions are read from the cache and written through to the database: a signed-in page costs a
# cache read instead of a query, and a cache that restarts loses no one's sign-in.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Security ------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Outbound HTTP ------------------------------------------------------------------
HTTP_TIMEOUT_SECONDS = env.float("HTTP_TIMEOUT_SECONDS", default=10.0)
HTTP_USER_AGENT = env.str("HTTP_USER_AGENT", default="ClinicPro/1.0 (+https://clinicpro.local)")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every record passes the redaction filter: request paths and OAuth query strings carry tokens.
    "filters": {"redact_tokens": {"()": "clinicpro.redaction.RedactTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # urllib3 logs full request lines (query strings, tokens) at DEBUG: keep it quiet at any LOG_LEVEL.
        "urllib3": {"level": "WARNING"},
        # Django's own request and development-server logs, through the redacting handler only.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Meetings ------------------------------------------------------------------------
# The Jitsi-compatible server that hosts self-hosted rooms, unless a clinic names its own. With the
# sandbox on (demo and tests) it is the sandbox's room server, so join links work offline.
MEETINGS_SELFHOSTED_BASE_URL = env.str(
    "MEETINGS_SELFHOSTED_BASE_URL",
    default=SITE_URL + "/sandbox/room" if SANDBOX_ENABLED else "https://meet.clinicpro.local",
).rstrip("/")
# Provider attempts before the clinic's fallback provider takes over.
MEETINGS_MAX_ATTEMPTS = env.int("MEETINGS_MAX_ATTEMPTS", default=5)
# Exponential backoff with full jitter between attempts: base * 2**n seconds, at most the cap.
MEETINGS_RETRY_BASE_SECONDS = env.float("MEETINGS_RETRY_BASE_SECONDS", default=5.0)
MEETINGS_RETRY_CAP_SECONDS = env.float("MEETINGS_RETRY_CAP_SECONDS", default=600.0)
# A worker's lease on a meeting row; longer than one provider call (HTTP_TIMEOUT_SECONDS). A worker that
# dies loses only its lease, and the row is due again when it runs out.
MEETINGS_LEASE_SECONDS = env.float("MEETINGS_LEASE_SECONDS", default=max(HTTP_TIMEOUT_SECONDS * 2, 20.0))
# How often beat's pass runs due meeting work (retries, moves, deletions, abandoned leases).
MEETINGS_DUE_PASS_SECONDS = env.float("MEETINGS_DUE_PASS_SECONDS", default=10.0)
# How far ahead the sweeper looks for confirmed online bookings without a link.
MEETINGS_SWEEP_HORIZON_HOURS = env.int("MEETINGS_SWEEP_HORIZON_HOURS", default=48)
# A booking this close to its start with no working link is logged at ERROR and shown on the dashboard.
MEETINGS_URGENT_MINUTES = env.int("MEETINGS_URGENT_MINUTES", default=60)

# --- Integrations: OAuth connections to Google, Zoom and Microsoft ----------------------
# With the sandbox on, every provider endpoint points at the emulators under SANDBOX_BASE_URL
# and the app credentials default to the emulators' demo values, so nothing needs configuring.
INTEGRATIONS_USE_SANDBOX = env.bool("INTEGRATIONS_USE_SANDBOX", default=SANDBOX_ENABLED)
SANDBOX_BASE_URL = env.str("SANDBOX_BASE_URL", default=SITE_URL + "/sandbox").rstrip("/")


def _integration_secret(name: str, sandbox_value: str) -> str:
    return env.str(name, default=sandbox_value if INTEGRATIONS_USE_SANDBOX else "")


GOOGLE_CLIENT_ID = _integration_secret("GOOGLE_CLIENT_ID", "sandbox-google-client")
GOOGLE_CLIENT_SECRET = _integration_secret("GOOGLE_CLIENT_SECRET", "sandbox-secret")
ZOOM_CLIENT_ID = _integration_secret("ZOOM_CLIENT_ID", "sandbox-zoom-client")
ZOOM_CLIENT_SECRET = _integration_secret("ZOOM_CLIENT_SECRET", "sandbox-secret")
MICROSOFT_CLIENT_ID = _integration_secret("MICROSOFT_CLIENT_ID", "sandbox-microsoft-client")
MICROSOFT_CLIENT_SECRET = _integration_secret("MICROSOFT_CLIENT_SECRET", "sandbox-secret")
MICROSOFT_TENANT = env.str("MICROSOFT_TENANT", default="common")
# Providers practitioners may connect. By default: every provider whose app credentials are set
# (all three with the sandbox). Listing one without credentials fails `manage.py check`.
INTEGRATIONS_PROVIDERS = env.list(
    "INTEGRATIONS_PROVIDERS",
    default=[
        provider
        for provider, client_id in (
            ("google", GOOGLE_CLIENT_ID),
            ("zoom", ZOOM_CLIENT_ID),
            ("microsoft", MICROSOFT_CLIENT_ID),
        )
        if client_id
    ],
)
# A token that expires within this many seconds is refreshed before use.
INTEGRATIONS_REFRESH_SKEW_SECONDS = env.int("INTEGRATIONS_REFRESH_SKEW_SECONDS", default=60)
# How long a practitioner's Google free/busy answer is reused for slot computation.
INTEGRATIONS_FREEBUSY_CACHE_SECONDS = env.int("INTEGRATIONS_FREEBUSY_CACHE_SECONDS", default=60)

# --- Bookings -------------------------------------------------------------------------------
# How long a booking waiting for payment holds its slot.
BOOKING_PAYMENT_HOLD_MINUTES = env.int("BOOKING_PAYMENT_HOLD_MINUTES", default=15)

# --- Vendors: no network call inside a database transaction ---------------------------------
# Outbound HTTP inside a transaction is always logged at ERROR; with this on it is refused (the tests turn it on).
HTTP_REFUSE_IN_TRANSACTION = env.bool("HTTP_REFUSE_IN_TRANSACTION", default=False)

# --- Meeting providers (Google Meet, Zoom, Teams) ------------------------------------------
# Zoom allows 100 meeting create/update calls per user per UTC day; we count them ourselves and
# fall back to the clinic's fallback provider once the count is reached.
ZOOM_DAILY_MEETING_LIMIT = env.int("ZOOM_DAILY_MEETING_LIMIT", default=100)

# --- Payments: M-Pesa through each clinic's own Daraja app --------------------------------------
# Public base of the callback URLs given to Safaricom (HTTPS in production).
PAYMENTS_CALLBACK_BASE_URL = env.str("PAYMENTS_CALLBACK_BASE_URL", default=SITE_URL).rstrip("/")
# After a clinic rotates its callback secret, the old one keeps working this long.
PAYMENTS_CALLBACK_SECRET_GRACE_HOURS = env.int("PAYMENTS_CALLBACK_SECRET_GRACE_HOURS", default=72)
# An STK prompt without an answer this long is asked about with STK Query.
PAYMENTS_RECONCILE_AFTER_SECONDS = env.int("PAYMENTS_RECONCILE_AFTER_SECONDS", default=60)
# A prompt still unanswered this long is closed: failed, or needs review when M-Pesa cannot say.
PAYMENTS_GIVE_UP_AFTER_MINUTES = env.int("PAYMENTS_GIVE_UP_AFTER_MINUTES", default=10)
# The Daraja emulator's prompts time out (ResultCode 1037) after this many seconds.
SANDBOX_DARAJA_PROMPT_SECONDS = env.int("SANDBOX_DARAJA_PROMPT_SECONDS", default=60)
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("sandbox.daraja")
CELERY_BEAT_SCHEDULE["payments-process-callbacks"] = {
    "task": "payments.tasks.process_pending_callbacks",
    "schedule": 15.0,
}
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {"task": "payments.tasks.reconcile_attempts", "schedule": 30.0}

# --- Notifications: email, SMS and WhatsApp ----------------------------------------------
# Point Africa's Talking and Twilio at the emulators under SANDBOX_BASE_URL.
NOTIFICATIONS_USE_SANDBOX = env.bool("NOTIFICATIONS_USE_SANDBOX", default=SANDBOX_ENABLED)
# Attempts per message before it is marked failed; transient failures wait base * 2**n seconds (jittered, capped).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=10.0)
NOTIFICATIONS_RETRY_CAP_SECONDS = env.float("NOTIFICATIONS_RETRY_CAP_SECONDS", default=1800.0)
# A message claimed for sending longer ago than this is taken back into the queue.
NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", default=300)
# An online booking this close to its start with no working link alerts its practitioner and the owners.
NOTIFICATIONS_URGENT_LINK_MINUTES = env.int("NOTIFICATIONS_URGENT_LINK_MINUTES", default=30)
# Calendar invitations name the clinic's contact email as organizer, else this address.
NOTIFICATIONS_ORGANIZER_EMAIL = env.str("NOTIFICATIONS_ORGANIZER_EMAIL", default="bookings@clinicpro.local")
# Domain of the Message-ID of our emails.
NOTIFICATIONS_EMAIL_DOMAIN = env.str("NOTIFICATIONS_EMAIL_DOMAIN", default="clinicpro.local")
# --- Public API and outgoing webhooks ---------------------------------------------------------
# django-ninja renders its bundled Swagger UI (served from the package's static files, no CDN)
# only when it is an installed app.
INSTALLED_APPS.append("ninja")
# Requests per minute one API key (or one signed-in member) may make; past it: 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# How long a POST's Idempotency-Key is remembered, in hours.
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
# Webhook endpoints may resolve to loopback addresses (tests and the demo only; never in production).
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=SANDBOX_ENABLED)
# Seconds one delivery attempt may take before it counts as failed.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=15.0)
# Seconds after each failed attempt before the next (Standard Webhooks' schedule, about three days),
# each with up to WEBHOOKS_JITTER_FRACTION of random extra; past the last one the delivery fails.
WEBHOOKS_RETRY_SCHEDULE_SECONDS = [
    int(value)
    for value in env.list(
        "WEBHOOKS_RETRY_SCHEDULE_SECONDS",
        default=["5", "300", "1800", "7200", "18000", "36000", "50400", "72000", "86400"],
    )
]
WEBHOOKS_JITTER_FRACTION = env.float("WEBHOOKS_JITTER_FRACTION", default=0.1)
# Hours the previous signing secret of an endpoint still signs (beside the new one) after a rotation.
WEBHOOKS_SECRET_GRACE_HOURS = env.float("WEBHOOKS_SECRET_GRACE_HOURS", default=24.0)
CELERY_BEAT_SCHEDULE["deliver-due-webhooks"] = {"task": "api.tasks.deliver_due_webhooks", "schedule": 15.0}
CELERY_BEAT_SCHEDULE["purge-idempotency-keys"] = {
    "task": "api.tasks.purge_idempotency_records",
    "schedule": crontab(minute=7),
}
CELERY_BEAT_SCHEDULE["forget-expired-signing-secrets"] = {
    "task": "api.tasks.forget_expired_signing_secrets",
    "schedule": crontab(minute=17),
}

# --- Field fixes: client addresses, logs, CSP, SQLite ------------------------------------
# Reverse proxies in front of the app that append to X-Forwarded-For (0: clients connect directly).
# Rate limits and IP allowlists read the client address through clinicpro.net.client_ip().
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline code; images may be data: URIs (Pico's icons). Forms may post to our own pages only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
