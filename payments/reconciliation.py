"""Prompts nobody heard back about: ask M-Pesa, and close what stays unknown with a reason."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .daraja import DarajaError
from .daraja.errors import describe_result_code
from .gateway import NotConfigured, daraja_for
from .models import AttemptStatus, MpesaSettings, StkAttempt
from .settlement import stk_failure_record, stk_review_record, stk_success_record

logger = logging.getLogger(__name__)
BATCH = 50
# How often one open prompt is asked about.
QUERY_INTERVAL = timedelta(seconds=20)


def claim_stale_attempts(now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Open prompts older than PAYMENTS_RECONCILE_AFTER_SECONDS not asked about lately; marked as asked now."""
    now = now or timezone.now()
    older_than = now - timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            StkAttempt.objects.select_for_update(skip_locked=True)
            .filter(status__in=[AttemptStatus.REQUESTING, AttemptStatus.PENDING], created_at__lte=older_than)
            .filter(Q(last_queried_at__isnull=True) | Q(last_queried_at__lte=now - QUERY_INTERVAL))
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        StkAttempt.objects.filter(pk__in=ids).update(last_queried_at=now)
    return ids


def attempt_reconcile(attempt_id: int, now: datetime | None = None) -> str:
    """Ask M-Pesa about one open prompt (never inside a transaction) and record what it says."""
    now = now or timezone.now()
    attempt = StkAttempt.objects.get(pk=attempt_id)
    if not attempt.is_open:
        return attempt.status
    give_up = attempt.created_at <= now - timedelta(minutes=settings.PAYMENTS_GIVE_UP_AFTER_MINUTES)
    if not attempt.checkout_request_id:
        # The push never got an answer we kept; if it was lost, M-Pesa has no id we could ask about.
        if give_up:
            stk_failure_record(attempt_id=attempt.pk, result_code="1025", result_desc="No answer to the push.")
            return AttemptStatus.FAILED
        return attempt.status
    try:
        answer = daraja_for(MpesaSettings.objects.get(clinic_id=attempt.clinic_id)).stk_query(
            attempt.checkout_request_id
        )
    except (DarajaError, NotConfigured) as exc:
        if give_up:
            stk_review_record(attempt_id=attempt.pk, reason=f"M-Pesa could not say what happened: {exc}")
            return AttemptStatus.NEEDS_REVIEW
        return attempt.status
    StkAttempt.objects.filter(pk=attempt.pk).update(query_count=attempt.query_count + 1)
    if answer.pending:
        if give_up:
            stk_review_record(attempt_id=attempt.pk, reason="M-Pesa still reported the payment as being processed.")
            return AttemptStatus.NEEDS_REVIEW
        return attempt.status
    if answer.succeeded:
        # The callback was lost: the amount is the one we asked for, the receipt comes if the callback does.
        stk_success_record(attempt_id=attempt.pk, amount=attempt.amount)
        return AttemptStatus.SUCCEEDED
    stk_failure_record(
        attempt_id=attempt.pk,
        result_code=answer.result_code,
        result_desc=answer.result_desc or describe_result_code(answer.result_code),
    )
    return AttemptStatus.FAILED
