"""Sending one outbox message: claim it, call the gateway outside any transaction, record the outcome.

A claim is a conditional UPDATE (queued and due -> sending), so a redelivered
task or two workers racing send a message once. A transient failure puts it
back in the queue with exponential backoff and full jitter (never sooner than
the vendor's Retry-After); a permanent one, or the last attempt, marks it failed
with the reason shown to staff.

An attempt whose answer was lost (timeout, dropped connection, a proxy's 502,
a worker that died mid-send) may have sent the message. The next attempt asks
the gateway first where it can (Twilio lists what it sent) and adopts what it
finds; where it cannot (Africa's Talking), the message is marked "may have been
sent" and is not sent again unless staff resend it.
"""

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Channel, Message, MessageStatus, OptOut, RecipientRole
from .recipients import is_opted_out, messaging_for, sms_ready
from .senders.base import LostAnswer, Sender, SendError, SendResult
from .senders.registry import EMAIL_SENDER, WHATSAPP_SENDER, sender_class

logger = logging.getLogger(__name__)

CLAIM_BATCH = 50


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    ceiling = min(settings.NOTIFICATIONS_RETRY_CAP_SECONDS, settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2**attempts)
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0)


def message_claim(*, message_id: int) -> bool:
    """Take a queued, due message for sending. False when someone else has it or it is not due."""
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED, next_attempt_at__lte=now).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def messages_claim_due(*, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim due messages in one short transaction; rows other workers hold are skipped, not waited for."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Message.objects.filter(pk__in=ids).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return ids


def messages_release_stale(*, now: datetime | None = None) -> int:
    """Claims whose worker died mid-send go back to the queue, as sends whose answer was lost."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS)
    return Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=stale).update(
        status=MessageStatus.QUEUED, next_attempt_at=now, answer_lost=True
    )


def sender_for(message: Message) -> Sender:
    config = messaging_for(message.clinic)
    if message.channel == Channel.EMAIL:
        key = EMAIL_SENDER
    elif message.channel == Channel.WHATSAPP:
        key = WHATSAPP_SENDER
    else:
        key = config.sms_sender
    return sender_class(key)(config)


def _why_not_send(message: Message) -> str:
    config = messaging_for(message.clinic)
    # Channels a clinic turns off are its channels to patients; its own staff still get their alerts.
    if message.recipient_role == RecipientRole.PATIENT and not config.channel_enabled(message.channel):
        return f"{message.get_channel_display()} is turned off for this clinic."
    if message.channel == Channel.SMS and not sms_ready(config):
        return "No SMS gateway is set up for this clinic."
    if is_opted_out(message.clinic, message.channel, message.to):
        return "The recipient asked not to get these messages."
    return ""


def _record(message_id: int, **changes: object) -> None:
    Message.objects.filter(pk=message_id).update(updated_at=timezone.now(), **changes)


def _record_sent(message: Message, sender: Sender, result: SendResult) -> None:
    now = timezone.now()
    if result.failure:
        status = MessageStatus.FAILED
    else:
        status = MessageStatus.DELIVERED if result.delivered else MessageStatus.SENT
    # A delivery report may have beaten us here: never move a message backwards.
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status,
        provider=sender.key,
        provider_message_id=result.provider_message_id,
        error=result.failure,
        sent_at=now,
        delivered_at=now if result.delivered else None,
        updated_at=now,
    )


def _record_unknown(message: Message, sender: Sender, error: str) -> None:
    # Staff see it with a Resend button; a delivery report to this number may still settle it (reports.py).
    _record(
        message.pk,
        status=MessageStatus.UNKNOWN,
        provider=sender.key,
        answer_lost=True,
        error=f"{error} It may have reached the recipient: resend only if it did not.",
    )


def _record_failure(message: Message, sender: Sender, exc: SendError) -> float | None:
    """Queue the next attempt (returning its delay), or mark the message failed or of unknown fate."""
    if exc.opted_out:
        OptOut.objects.get_or_create(
            clinic=message.clinic, channel=message.channel, address=message.to, defaults={"source": sender.key}
        )
    last = message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    # Whether the gateway may hold this message: this answer was lost, or an earlier one and nothing since says no.
    maybe_sent = sender.lost_answer != LostAnswer.RESEND and (
        exc.answer_lost or (message.answer_lost and not exc.permanent)
    )
    if maybe_sent and (last or sender.lost_answer == LostAnswer.ASK_STAFF):
        logger.warning("Message %s may have been sent: %s", message.pk, exc)
        _record_unknown(message, sender, str(exc))
        return None
    if exc.permanent or last:
        logger.warning("Message %s failed for good: %s", message.pk, exc)
        _record(message.pk, status=MessageStatus.FAILED, provider=sender.key, error=str(exc))
        return None
    delay = backoff_seconds(message.attempts, exc.retry_after)
    _record(
        message.pk,
        status=MessageStatus.QUEUED,
        provider=sender.key,
        error=str(exc),
        answer_lost=message.answer_lost or exc.answer_lost,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return delay


def _adopt_or_send(message: Message, sender: Sender) -> SendResult:
    """Send it, unless an earlier attempt whose answer was lost already did: then adopt what the gateway made."""
    if message.answer_lost and sender.lost_answer == LostAnswer.LOOK:
        found = sender.find_sent(message)
        taken = set(
            Message.objects.filter(
                clinic_id=message.clinic_id,
                provider=sender.key,
                provider_message_id__in=[f.provider_message_id for f in found],
            )
            .exclude(pk=message.pk)
            .values_list("provider_message_id", flat=True)
        )
        for earlier in found:
            if earlier.provider_message_id not in taken:
                logger.info("Message %s was sent by an earlier attempt; not sending it again", message.pk)
                return earlier
    return sender.send(message)


def message_deliver(*, message_id: int) -> float | None:
    """Send a message this worker has claimed. Returns the delay before a retry, or None when done."""
    message = Message.objects.select_related("clinic").get(pk=message_id)
    if message.status != MessageStatus.SENDING:
        return None
    reason = _why_not_send(message)
    if reason:
        _record(message.pk, status=MessageStatus.SKIPPED, error=reason)
        return None
    sender = sender_for(message)
    if message.answer_lost and sender.lost_answer == LostAnswer.ASK_STAFF:
        _record_unknown(message, sender, message.error or "An earlier attempt was cut off.")
        return None
    try:
        result = _adopt_or_send(message, sender)
    except SendError as exc:
        return _record_failure(message, sender, exc)
    except Exception as exc:  # an error the sender did not map: transient by default
        logger.warning("Sending message %s failed: %s", message.pk, type(exc).__name__)
        return _record_failure(message, sender, SendError(f"{type(exc).__name__} while sending"))
    _record_sent(message, sender, result)
    return None


def message_send(*, message_id: int) -> float | None:
    """Claim and deliver one message (the task's fast path)."""
    if not message_claim(message_id=message_id):
        return None
    return message_deliver(message_id=message_id)


def due_message_ids(*, booking_id: int) -> list[int]:
    now = timezone.now()
    return list(
        Message.objects.filter(booking_id=booking_id, status=MessageStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
