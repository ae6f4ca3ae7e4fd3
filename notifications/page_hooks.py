"""What the dashboards show about messages, given to bookings through its hooks."""

from datetime import timedelta

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from bookings import hooks
from bookings.models import Booking
from clinicpro.models import Clinic, Role

from .models import Kind, Message, MessageStatus, RecipientRole

ALERT_DAYS = 3


@hooks.register_dashboard_panel
def messages_panel(request: HttpRequest, booking: Booking) -> SafeString | str:
    rows = Message.objects.filter(booking=booking).exclude(kind=Kind.ALERT).order_by("created_at", "id")
    return render_to_string("notifications/_panel.html", {"booking": booking, "rows": rows}, request=request)


@hooks.register_dashboard_banner
def alert_banners(request: HttpRequest) -> list[str]:
    """Alerts of the last days: each cause once, for owners and the practitioner it concerns."""
    membership = getattr(request, "membership", None)
    clinic = getattr(request, "clinic", None)
    if membership is None or clinic is None or membership.role not in (Role.OWNER, Role.PRACTITIONER):
        return []
    alerts = Message.objects.filter(
        clinic=clinic, kind=Kind.ALERT, created_at__gte=timezone.now() - timedelta(days=ALERT_DAYS)
    )
    if membership.role == Role.OWNER:
        alerts = alerts.filter(recipient_role=RecipientRole.OWNER)
    else:
        alerts = alerts.filter(recipient_role=RecipientRole.PRACTITIONER, to=membership.user.email)
    seen: dict[str, str] = {}
    for alert in alerts.order_by("-created_at"):
        seen.setdefault(alert.dedupe_key, alert.subject)
    banners = list(seen.values())
    if membership.role == Role.OWNER:
        banners += _patient_message_trouble(clinic)
    return banners


def _patient_message_trouble(clinic: Clinic) -> list[str]:
    recent = Message.objects.filter(
        clinic=clinic,
        recipient_role=RecipientRole.PATIENT,
        updated_at__gte=timezone.now() - timedelta(days=ALERT_DAYS),
    )
    failed = recent.filter(status=MessageStatus.FAILED).count()
    unknown = recent.filter(status=MessageStatus.UNKNOWN).count()
    banners = []
    if failed:
        banners.append(f"{failed} message{'s' if failed != 1 else ''} to patients could not be sent; see the bookings.")
    if unknown:
        banners.append(
            f"{unknown} message{'s' if unknown != 1 else ''} to patients may not have been sent (the gateway's "
            "answer was lost); see the bookings and resend if needed."
        )
    return banners
