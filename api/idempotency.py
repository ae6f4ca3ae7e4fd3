"""`Idempotency-Key` on every POST: a retry answers what the first request answered.

The key's row is inserted first, inside the transaction that does the work, under
a unique constraint. A concurrent retry's insert waits on that row until the
first transaction ends, then finds it and replays its answer; a crash rolls both
back, so the retry simply does the work. The same key with another request body
is refused with 422.

Work that calls the outside world (an M-Pesa prompt) must not run inside a
transaction, so `idempotent_outside_transaction` commits the key's row first,
does the work, then stores the answer. A retry arriving meanwhile is told 409
`idempotency_key_in_progress` with Retry-After, as the IETF Idempotency-Key
draft asks, and gets the first answer once there is one.
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
IN_PROGRESS = 0  # response_status of a key whose request is still running
IN_PROGRESS_RETRY_AFTER_SECONDS = 1


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
    if record.response_status == IN_PROGRESS:
        raise ApiProblem(
            409,
            "idempotency_key_in_progress",
            "The first request with this Idempotency-Key is still running",
            "Retry shortly with the same key to get its answer.",
            headers={"Retry-After": str(IN_PROGRESS_RETRY_AFTER_SECONDS)},
        )
    return _response(record.response_status, record.response_body, replayed=True)


def _earlier(caller: Caller, key: str) -> IdempotencyRecord | None:
    horizon = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    return IdempotencyRecord.objects.filter(
        clinic=caller.clinic, principal=caller.principal, key=key, created_at__gte=horizon
    ).first()


def _abandoned(record: IdempotencyRecord) -> bool:
    """Still unanswered long after any request could have finished: its process died, a retry may take over."""
    horizon = timezone.now() - timedelta(seconds=settings.HTTP_TIMEOUT_SECONDS * 6 + 60)
    return record.response_status == IN_PROGRESS and record.created_at < horizon


def _known_answer(caller: Caller, key: str, request_hash: str) -> HttpResponse | None:
    """The answer already given under this key, if any; clears expired and abandoned keys for a fresh run."""
    earlier = _earlier(caller, key)
    if earlier is not None and not _abandoned(earlier):
        return _replay(earlier, request_hash)
    if earlier is not None:
        IdempotencyRecord.objects.filter(pk=earlier.pk, response_status=IN_PROGRESS).delete()
    _forget_expired(caller, key)
    return None


def _winners_answer(caller: Caller, key: str, request_hash: str) -> HttpResponse | None:
    """After an IntegrityError: what the request that inserted this key's row first answered, if one did."""
    earlier = _earlier(caller, key)
    return _replay(earlier, request_hash) if earlier is not None else None


def _new_record(caller: Caller, key: str, request_hash: str) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        clinic=caller.clinic,
        principal=caller.principal,
        key=key,
        request_hash=request_hash,
        response_status=IN_PROGRESS,
        response_body={},
    )


def idempotent(
    request: HttpRequest, caller: Caller, payload: Any, operation: Callable[[], tuple[int, Any]]
) -> HttpResponse:
    """Run `operation` (returning status and JSON body) once per Idempotency-Key, in the key's transaction."""
    return _once(request, caller, payload, operation, outside_transaction=False)


def idempotent_outside_transaction(
    request: HttpRequest, caller: Caller, payload: Any, operation: Callable[[], tuple[int, Any]]
) -> HttpResponse:
    """Run `operation`, which calls the outside world, once per Idempotency-Key and outside any transaction."""
    return _once(request, caller, payload, operation, outside_transaction=True)


def _once(
    request: HttpRequest,
    caller: Caller,
    payload: Any,
    operation: Callable[[], tuple[int, Any]],
    *,
    outside_transaction: bool,
) -> HttpResponse:
    key, request_hash = _key_of(request), _request_hash(request, payload)
    known = _known_answer(caller, key, request_hash)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            record = _new_record(caller, key, request_hash)
            if not outside_transaction:
                answer = _run(operation)
                _store(record, answer)
    except IntegrityError:
        # Another request with this key inserted its row first: answer what it answered.
        replayed = _winners_answer(caller, key, request_hash)
        if replayed is None:
            raise
        return replayed
    if outside_transaction:
        try:
            answer = _answer(operation)
        except BaseException:
            record.delete()  # nothing was answered: a retry may do the work
            raise
        _store(record, answer)
    return _response(*answer, replayed=False)


def _store(record: IdempotencyRecord, answer: tuple[int, Any]) -> None:
    record.response_status, record.response_body = answer
    record.save(update_fields=["response_status", "response_body"])


def _run(operation: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The operation's answer, run in its own savepoint so that a refusal leaves nothing behind."""

    def atomically() -> tuple[int, Any]:
        with transaction.atomic():
            return operation()

    return _answer(atomically)


def _answer(operation: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The operation's answer; a refusal (4xx problem) is an answer too, and is kept for retries."""
    try:
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
