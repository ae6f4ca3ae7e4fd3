"""What the dashboards show about messages, given to bookings through its hooks."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from bookings import hooks
from bookings.models import Booking
from clinicpro.models import Clinic, Membership, Role

from .models import Kind, Message, MessageStatus, RecipientRole

ALERT_DAYS = 3


@hooks.register_dashboard_panel
def messages_panel(request: HttpRequest, booking: Booking) -> SafeString | str:
    rows = Message.objects.filter(booking=booking).exclude(kind=Kind.ALERT).order_by("created_at", "id")
    return render_to_string("notifications/_panel.html", {"booking": booking, "rows": rows}, request=request)


def _recent_alerts(membership: Membership) -> QuerySet[Message]:
    """Alerts of the last days sent to this member: to owners, or to the practitioner they concern."""
    alerts = Message.objects.filter(
        clinic=membership.clinic, kind=Kind.ALERT, created_at__gte=timezone.now() - timedelta(days=ALERT_DAYS)
    )
    if membership.role == Role.OWNER:
        return alerts.filter(recipient_role=RecipientRole.OWNER)
    return alerts.filter(recipient_role=RecipientRole.PRACTITIONER, to=membership.user.email)


def _patient_messages_in_trouble(clinic: Clinic) -> QuerySet[Message]:
    """Recent messages to patients that failed, or that may not have been sent."""
    return Message.objects.filter(
        clinic=clinic,
        recipient_role=RecipientRole.PATIENT,
        updated_at__gte=timezone.now() - timedelta(days=ALERT_DAYS),
        status__in=[MessageStatus.FAILED, MessageStatus.UNKNOWN],
    )


def _alerted_member(request: HttpRequest) -> Membership | None:
    membership = getattr(request, "membership", None)
    if not isinstance(membership, Membership) or membership.role not in (Role.OWNER, Role.PRACTITIONER):
        return None
    return membership


def alert_candidates(request: HttpRequest) -> list[QuerySet[Any]]:
    membership = _alerted_member(request)
    if membership is None:
        return []
    if membership.role == Role.OWNER:
        return [_recent_alerts(membership), _patient_messages_in_trouble(membership.clinic)]
    return [_recent_alerts(membership)]


@hooks.register_dashboard_banner(candidates=alert_candidates)
def alert_banners(request: HttpRequest) -> list[str]:
    """Alerts of the last days: each cause once, for owners and the practitioner it concerns."""
    membership = _alerted_member(request)
    if membership is None:
        return []
    seen: dict[str, str] = {}
    for dedupe_key, subject in _recent_alerts(membership).order_by("-created_at").values_list("dedupe_key", "subject"):
        seen.setdefault(dedupe_key, subject)
    banners = list(seen.values())
    if membership.role == Role.OWNER:
        banners += _patient_message_trouble(membership.clinic)
    return banners


def _patient_message_trouble(clinic: Clinic) -> list[str]:
    counted = _patient_messages_in_trouble(clinic).values("status").annotate(total=Count("pk"))
    totals = {row["status"]: row["total"] for row in counted}
    failed = totals.get(MessageStatus.FAILED, 0)
    unknown = totals.get(MessageStatus.UNKNOWN, 0)
    banners = []
    if failed:
        banners.append(f"{failed} message{'s' if failed != 1 else ''} to patients could not be sent; see the bookings.")
    if unknown:
        banners.append(
            f"{unknown} message{'s' if unknown != 1 else ''} to patients may not have been sent (the gateway's "
            "answer was lost); see the bookings and resend if needed."
        )
    return banners
