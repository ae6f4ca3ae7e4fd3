"""Fault scripts for the emulators, and the helpers tests use to steer them.

Every emulator endpoint consults the next matching fault before it acts. The
endpoint names:

    google:     token, events.insert, events.get, events.patch, events.delete, freebusy
    zoom:       token, meetings.create, meetings.get, meetings.update, meetings.delete, meetings.list
    microsoft:  token, events.create, events.list, events.get, events.update, events.delete,
                onlinemeetings.createorget, onlinemeetings.get, onlinemeetings.update, onlinemeetings.delete
    africastalking: messaging.send
    twilio:     messages.create, messages.list

Modes:

    "500"            the vendor's 500 body.
    "429"            the vendor's rate-limit body with Retry-After: `retry_after` seconds
                     (an HTTP date instead with retry_after_as_date=True).
    "401"            the vendor's invalid-token body (invalid_client on token endpoints).
    "timeout"        act, then wait `delay_seconds` before answering: set it past the client's timeout.
    "delay"          wait `delay_seconds`, then act and answer normally; with count=None it stays
                     until removed (latency benchmarks).
    "lost_response"  act, then answer 502 as a proxy would when the response is lost, so a
                     client must retry idempotently.
    "pending"        google events.insert only: the conference stays `pending` for `pending_reads`
                     reads of the event before it turns to `success`.
    "invalid_grant"  token endpoints only: refuse the grant as an expired or revoked one.
    "403_rate_limit", "403_user_rate_limit", "403_quota"
                     google API endpoints: Google's 403 with reason rateLimitExceeded,
                     userRateLimitExceeded or quotaExceeded (Retry-After: `retry_after` for the first two).
    "conference_failure"
                     google events.insert only: the event is made but its conference ends in `failure`.
    "no_meet"        google events.insert only: this calendar cannot host Meet (400 "Invalid conference
                     type value."), as for accounts whose administrator turned Meet off.

A personal Microsoft account (an email at outlook., hotmail., live. or msn.) cannot host Teams meetings:
Graph makes its events without the meeting, and refuses onlineMeetings/createOrGet.

    inject("zoom", "meetings.create", "429", count=2, retry_after=3)
    inject("google", "events.insert", "pending", pending_reads=2)
    inject("microsoft", "events.create", "delay", count=None, delay_seconds=0.2)
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Fault, Grant, Service, Token

ENDPOINTS: dict[str, tuple[str, ...]] = {
    Service.GOOGLE: ("token", "events.insert", "events.get", "events.patch", "events.delete", "freebusy"),
    Service.ZOOM: (
        "token",
        "meetings.create",
        "meetings.get",
        "meetings.update",
        "meetings.delete",
        "meetings.list",
    ),
    Service.MICROSOFT: (
        "token",
        "events.create",
        "events.list",
        "events.get",
        "events.update",
        "events.delete",
        "onlinemeetings.createorget",
        "onlinemeetings.get",
        "onlinemeetings.update",
        "onlinemeetings.delete",
    ),
    Service.AFRICASTALKING: ("messaging.send",),
    Service.TWILIO: ("messages.create", "messages.list"),
}

MODES: tuple[str, ...] = tuple(Fault.Mode.values)
GOOGLE_API_MODES = {Fault.Mode.RATE_LIMIT_403, Fault.Mode.USER_RATE_LIMIT_403, Fault.Mode.QUOTA_403}
GOOGLE_INSERT_MODES = {Fault.Mode.CONFERENCE_FAILURE, Fault.Mode.NO_MEET}
_OPTIONS = {"retry_after", "retry_after_as_date", "delay_seconds", "pending_reads"}


def inject(service: str, endpoint: str, mode: str, count: int | None = 1, **opts: Any) -> Fault:
    """Script the next `count` calls to `service` `endpoint` (count=None: until removed)."""
    validate_target(service, endpoint, mode)
    unknown = set(opts) - _OPTIONS
    if unknown:
        raise ValueError(f"Unknown fault options: {', '.join(sorted(unknown))}.")
    if count is not None and count < 1:
        raise ValueError("count must be at least 1, or None for a fault that stays until removed.")
    if mode == Fault.Mode.TIMEOUT and not opts.get("delay_seconds"):
        raise ValueError("A timeout fault needs delay_seconds past the client's timeout.")
    return Fault.objects.create(service=service, endpoint=endpoint, mode=mode, remaining=count, **opts)


def clear(service: str | None = None) -> int:
    """Remove every fault (of one service, if given)."""
    faults = Fault.objects.all() if service is None else Fault.objects.filter(service=service)
    return faults.delete()[0]


def remove(fault_id: int) -> bool:
    return Fault.objects.filter(pk=fault_id).delete()[0] > 0


def active_faults() -> list[Fault]:
    return list(Fault.objects.filter(Q(remaining__isnull=True) | Q(remaining__gt=0)))


def expire_access_tokens(service: str) -> int:
    """Make every live access token of `service` expired, as if an hour had passed."""
    return Token.objects.filter(
        grant__service=service,
        kind=Token.Kind.ACCESS,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(expires_at=timezone.now() - timedelta(seconds=1))


def revoke_grants(service: str) -> int:
    """Revoke every grant of `service`, as a user removing the app from their account would."""
    return Grant.objects.filter(service=service, revoked_at__isnull=True).update(revoked_at=timezone.now())


def take(service: str, endpoint: str) -> Fault | None:
    """Consume the next fault scripted for this endpoint, if any (one call, one fault)."""
    with transaction.atomic():
        fault = (
            Fault.objects.select_for_update()
            .filter(Q(remaining__isnull=True) | Q(remaining__gt=0), service=service, endpoint=endpoint)
            .order_by("id")
            .first()
        )
        if fault is None:
            return None
        changes: dict[str, Any] = {"hits": F("hits") + 1}
        if fault.remaining is not None:
            changes["remaining"] = F("remaining") - 1
        Fault.objects.filter(pk=fault.pk).update(**changes)
    return fault


def validate_target(service: str, endpoint: str, mode: str) -> None:
    """Refuse an unknown service, endpoint or mode, and a mode the endpoint cannot play."""
    if service not in ENDPOINTS:
        raise ValueError(f"Unknown service {service!r}; one of {', '.join(ENDPOINTS)}.")
    if endpoint not in ENDPOINTS[service]:
        raise ValueError(f"Unknown {service} endpoint {endpoint!r}; one of {', '.join(ENDPOINTS[service])}.")
    if mode not in MODES:
        raise ValueError(f"Unknown fault mode {mode!r}; one of {', '.join(MODES)}.")
    if mode == Fault.Mode.PENDING and (service, endpoint) != (Service.GOOGLE, "events.insert"):
        raise ValueError("The pending mode applies to google events.insert only.")
    if mode == Fault.Mode.INVALID_GRANT and endpoint != "token":
        raise ValueError("The invalid_grant mode applies to token endpoints only.")
    if mode in GOOGLE_API_MODES and (service != Service.GOOGLE or endpoint == "token"):
        raise ValueError(f"The {mode} mode applies to google API endpoints only.")
    if mode in GOOGLE_INSERT_MODES and (service, endpoint) != (Service.GOOGLE, "events.insert"):
        raise ValueError(f"The {mode} mode applies to google events.insert only.")
