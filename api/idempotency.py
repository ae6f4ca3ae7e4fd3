"""`Idempotency-Key` on every POST: a retry answers what the first request answered.

The key's row is inserted first, inside the transaction that does the work, under
a unique constraint. A concurrent retry's insert waits on that row until the
first transaction ends, then finds it and replays its answer; a crash rolls both
back, so the retry simply does the work. The same key with another request body
is refused with 422.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from bookings.errors import BookingError

from .auth import Caller
from .models import IdempotencyRecord
from .problems import ApiProblem, booking_problem, problem_body
from .renderers import dumps

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


def _request_hash(request: HttpRequest, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _key_of(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiProblem(
            400,
            "idempotency_key_required",
            "Idempotency-Key header required",
            f"Every POST needs an {HEADER} header of 1 to {MAX_KEY_LENGTH} characters (a UUID is ideal).",
        )
    return key


def _response(status: int, body: Any, replayed: bool) -> HttpResponse:
    is_problem = isinstance(body, dict) and "code" in body and status >= 400
    response = HttpResponse(
        dumps(body), status=status, content_type="application/problem+json" if is_problem else "application/json"
    )
    if replayed:
        response[REPLAY_HEADER] = "true"
    return response


def _replay(record: IdempotencyRecord, request_hash: str) -> HttpResponse:
    if record.request_hash != request_hash:
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            "Idempotency-Key already used for another request",
            "Use a new key for a new request; reuse a key only to retry the very same request.",
        )
    return _response(record.response_status, record.response_body, replayed=True)


def _earlier(caller: Caller, key: str) -> IdempotencyRecord | None:
    horizon = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    return IdempotencyRecord.objects.filter(
        clinic=caller.clinic, principal=caller.principal, key=key, created_at__gte=horizon
    ).first()


def idempotent(
    request: HttpRequest, caller: Caller, payload: Any, operation: Callable[[], tuple[int, Any]]
) -> HttpResponse:
    """Run `operation` (returning status and JSON body) once per Idempotency-Key."""
    key = _key_of(request)
    request_hash = _request_hash(request, payload)
    earlier = _earlier(caller, key)
    if earlier is not None:
        return _replay(earlier, request_hash)
    _forget_expired(caller, key)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                clinic=caller.clinic,
                principal=caller.principal,
                key=key,
                request_hash=request_hash,
                response_status=0,
                response_body={},
            )
            status, body = _run(operation)
            record.response_status, record.response_body = status, body
            record.save(update_fields=["response_status", "response_body"])
    except IntegrityError:
        # Another request with this key committed first: answer what it answered.
        earlier = _earlier(caller, key)
        if earlier is None:
            raise
        return _replay(earlier, request_hash)
    return _response(status, body, replayed=False)


def _run(operation: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The operation's answer; a refusal (4xx problem) is an answer too, and is kept for retries."""
    try:
        with transaction.atomic():
            return operation()
    except BookingError as exc:
        problem = booking_problem(exc)
    except Http404 as exc:
        problem = ApiProblem(404, "not_found", "Not found", str(exc) or "No such resource.")
    except DjangoValidationError as exc:
        problem = ApiProblem(422, "invalid_request", "The request is not valid", " ".join(exc.messages))
    except ApiProblem as exc:
        problem = exc
    if problem.status >= 500 or problem.status == 429:
        raise problem
    return problem.status, problem_body(problem.status, problem.code, problem.title, problem.detail)


def _forget_expired(caller: Caller, key: str) -> None:
    horizon = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    IdempotencyRecord.objects.filter(
        clinic=caller.clinic, principal=caller.principal, key=key, created_at__lt=horizon
    ).delete()


def idempotency_records_purge() -> int:
    """Forget answers older than API_IDEMPOTENCY_TTL_HOURS (the beat calls this hourly)."""
    horizon = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=horizon).delete()[0]
