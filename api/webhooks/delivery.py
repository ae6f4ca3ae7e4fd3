"""Sending one delivery: claim it, POST it signed (outside any transaction), record what happened.

2xx is success (3xx is not). 410 Gone disables the endpoint at once. Anything
else is retried on Standard Webhooks' schedule (WEBHOOKS_RETRY_SCHEDULE_SECONDS,
with jitter, honouring Retry-After); when the schedule runs out the delivery
fails and the endpoint is disabled, and its owners see a banner.
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from requests.adapters import HTTPAdapter

from clinicpro.http import http_session

from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import signed_headers
from .ssrf import PinnedTarget, UnsafeEndpoint, pinned_target

logger = logging.getLogger(__name__)

THROTTLING_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str = ""
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Take a due delivery for sending (conditional UPDATE): two workers never send it at once."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint", "clinic").get(pk=delivery_id)


class _PinnedTLSAdapter(HTTPAdapter):
    """Connects to the checked address while verifying the certificate of the endpoint's host name."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


def _post(target: PinnedTarget, headers: dict[str, str], body: str) -> requests.Response:
    session = http_session(timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    if target.url.startswith("https://"):
        session.mount("https://", _PinnedTLSAdapter(target.hostname))
    with session:
        return session.post(
            target.url, data=body.encode(), headers={**headers, "Host": target.host_header}, allow_redirects=False
        )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    return None


def send(delivery: WebhookDelivery) -> Outcome:
    """POST the delivery once. Never raises for the endpoint's failures: they are the outcome."""
    endpoint = delivery.endpoint
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = pinned_target(endpoint.url)
    except UnsafeEndpoint as exc:
        return Outcome(status_code=None, latency_ms=elapsed(), error=f"Refused: {exc}"[:300])
    now = timezone.now()
    headers = signed_headers(
        secrets=endpoint.signing_secrets(now), message_id=delivery.message_id, sent_at=now, body=delivery.body
    )
    try:
        response = _post(target, headers, delivery.body)
    except requests.Timeout:
        return Outcome(status_code=None, latency_ms=elapsed(), error="No answer in time.")
    except requests.RequestException as exc:
        return Outcome(status_code=None, latency_ms=elapsed(), error=f"Could not connect ({type(exc).__name__}).")
    retry_after = _retry_after(response) if response.status_code in THROTTLING_STATUSES else None
    return Outcome(status_code=response.status_code, latency_ms=elapsed(), retry_after=retry_after)


def next_delay(attempts: int, retry_after: float | None = None) -> float | None:
    """Seconds before the next attempt after `attempts` failed ones; None when the schedule is spent."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE_SECONDS
    if attempts > len(schedule):
        return None
    base = float(schedule[attempts - 1])
    delay = base + random.uniform(0, base * settings.WEBHOOKS_JITTER_FRACTION)
    return max(delay, retry_after or 0.0)


def disable_endpoint(endpoint_id: int, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason[:300]
    )


@transaction.atomic
def record(delivery: WebhookDelivery, outcome: Outcome, started_at: datetime) -> float | None:
    """Store the attempt and move the delivery on; returns the delay before a retry (None: no retry)."""
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
    )
    attempts = delivery.attempts + 1
    common = {"attempts": F("attempts") + 1, "last_status_code": outcome.status_code, "last_error": outcome.error}
    sending = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING)
    if outcome.succeeded:
        sending.update(status=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None, **common)
        return None
    if outcome.status_code == 410:
        sending.update(status=DeliveryStatus.FAILED, next_attempt_at=None, **common)
        disable_endpoint(delivery.endpoint_id, "The endpoint answered 410 Gone: it asked for no more webhooks.")
        return None
    delay = next_delay(attempts, outcome.retry_after)
    if delay is None:
        sending.update(status=DeliveryStatus.FAILED, next_attempt_at=None, **common)
        disable_endpoint(
            delivery.endpoint_id,
            f"All {attempts} attempts to deliver a {delivery.event_type} webhook failed.",
        )
        return None
    sending.update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay), **common)
    return delay


def deliver(delivery_id: int) -> float | None:
    """Send one due delivery if it can be claimed; the delay before its retry, if one is scheduled."""
    delivery = claim(delivery_id)
    return None if delivery is None else attempt(delivery)


def deliver_claimed(delivery_id: int) -> float | None:
    """Send a delivery the beat pass already claimed (still `sending`); nothing if it moved on since."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "clinic")
        .filter(pk=delivery_id, status=DeliveryStatus.SENDING)
        .first()
    )
    return None if delivery is None else attempt(delivery)


def attempt(delivery: WebhookDelivery) -> float | None:
    started_at = timezone.now()
    if not delivery.endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error="The endpoint is disabled.", next_attempt_at=None
        )
        return None
    outcome = send(delivery)
    logger.info(
        "webhook %s %s -> %s in %d ms",
        delivery.event_type,
        delivery.message_id,
        outcome.status_code or outcome.error,
        outcome.latency_ms,
    )
    return record(delivery, outcome, started_at)


def release_stale_claims(now: datetime | None = None) -> int:
    """Deliveries left `sending` by a worker that died go back to the queue."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 4 + 60)
    return WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now
    )


def due_delivery_ids(limit: int = 100, now: datetime | None = None) -> list[int]:
    """Claim up to `limit` due deliveries (FOR UPDATE SKIP LOCKED) and return their ids, already `sending`."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING, claimed_at=now)
    return ids
