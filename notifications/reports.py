"""Delivery reports and replies from the gateways: stored as they came, then applied to our messages.

A report moves a message forward only (sent -> delivered or failed); a late or
repeated report changes nothing. Reports that match none of our messages are
kept as `unmatched` for whoever looks.

A report is also how a message whose send answer was lost is found again: when
its id is none of ours and exactly one message to its number is of unknown fate
("may have been sent"), it is about that message, which takes its id and status.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinicpro.models import Clinic

from .models import Channel, DeliveryReport, Message, MessageStatus, OptOut
from .models.message import STATUS_RANK

# How long a message of unknown fate waits for a report that settles it.
UNKNOWN_FATE_DAYS = 3

# Replies that mean "stop" and "start again" (Twilio's and Africa's Talking's opt-out words).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "CANCEL"}
START_WORDS = {"START", "UNSTOP", "YES"}


def _advance(message: Message, status: str, error: str) -> bool:
    if STATUS_RANK[status] <= STATUS_RANK[message.status]:
        return False
    now = timezone.now()
    changes: dict = {"status": status, "updated_at": now}
    if status == MessageStatus.DELIVERED:
        changes["delivered_at"] = now
    if status == MessageStatus.FAILED:
        changes["error"] = error or "The gateway reported that the message was not delivered."
    Message.objects.filter(pk=message.pk).update(**changes)
    return True


def delivery_report_apply(
    *, clinic: Clinic, vendor: str, external_id: str, status: str, error: str = "", number: str = "", payload: dict
) -> DeliveryReport:
    """Store a report as it came, then move the matching message (our status: sent, delivered or failed).

    `number`: the recipient as the report names it, to find a message whose send answer was lost.
    """
    report = DeliveryReport.objects.create(clinic=clinic, vendor=vendor, external_id=external_id, payload=payload)
    with transaction.atomic():
        message = _message_for(clinic=clinic, vendor=vendor, external_id=external_id, number=number)
        _apply(report, message, status=status, error=error)
    return report


def _message_for(*, clinic: Clinic, vendor: str, external_id: str, number: str) -> Message | None:
    if not external_id:
        return None
    mine = Message.objects.select_for_update().filter(clinic=clinic, provider=vendor)
    message = mine.filter(provider_message_id=external_id).first()
    if message is not None or not number:
        return message
    since = timezone.now() - timedelta(days=UNKNOWN_FATE_DAYS)
    unknown = list(
        mine.filter(status=MessageStatus.UNKNOWN, provider_message_id="", to=normalise_number(number))
        .filter(created_at__gte=since)
        .order_by("id")[:2]
    )
    if len(unknown) != 1:
        return None  # none, or two we could not tell apart: the report stays unmatched for staff
    Message.objects.filter(pk=unknown[0].pk).update(provider_message_id=external_id, error="")
    return unknown[0]


def _apply(report: DeliveryReport, message: Message | None, *, status: str, error: str) -> None:
    if message is None:
        report.state = DeliveryReport.State.UNMATCHED
    else:
        _advance(message, status, error)
        report.state = DeliveryReport.State.PROCESSED
    report.save(update_fields=["state"])


def normalise_number(value: str) -> str:
    return value.removeprefix("whatsapp:").strip()


@transaction.atomic
def inbound_text_apply(*, clinic: Clinic, vendor: str, sender: str, text: str, payload: dict) -> DeliveryReport:
    """A reply from a patient: STOP (and its synonyms) opts the number out, START opts it back in."""
    report = DeliveryReport.objects.create(
        clinic=clinic, vendor=vendor, kind="inbound", external_id=normalise_number(sender), payload=payload
    )
    word = text.strip().split(" ")[0].upper() if text.strip() else ""
    number = normalise_number(sender)
    if word in STOP_WORDS:
        OptOut.objects.get_or_create(
            clinic=clinic, channel=Channel.SMS, address=number, defaults={"source": f"{vendor} STOP"}
        )
    elif word in START_WORDS:
        OptOut.objects.filter(clinic=clinic, channel__in=[Channel.SMS, Channel.WHATSAPP], address=number).delete()
    report.state = DeliveryReport.State.PROCESSED
    report.save(update_fields=["state"])
    return report
