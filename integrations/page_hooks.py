"""Banners telling practitioners (and their clinic's owners) what needs their attention."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bookings.formatting import local_time, zone_label
from clinicpro.models import Membership

from .models import Connection, ConnectionStatus
from .selectors import connections_needing_attention


def banner_candidates(request: HttpRequest) -> list[QuerySet[Any]]:
    membership = getattr(request, "membership", None)
    return [connections_needing_attention(membership)] if isinstance(membership, Membership) else []


def dashboard_banners(request: HttpRequest) -> list[str]:
    """The dashboard's banner source: only within a clinic, for the signed-in member."""
    membership = getattr(request, "membership", None)
    if not isinstance(membership, Membership):
        return []
    return list(connection_banners(membership))


def connection_banners(membership: Membership) -> list[SafeString]:
    page = reverse("integrations:page") + f"?clinic={membership.clinic.slug}"
    connections = connections_needing_attention(membership).select_related("clinic", "membership__practitioner")
    return [banner for connection in connections if (banner := _banner(connection, membership, page))]


def _banner(connection: Connection, membership: Membership, page: str) -> SafeString | None:
    label = connection.provider_label
    own = connection.membership_id == membership.pk
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        if connection.is_server_to_server:
            return format_html(
                "{} refused the clinic's credentials: new bookings use the backup room until "
                'they are updated. <a href="{}">Update them</a>',
                label,
                page,
            )
        if own:
            return format_html(
                "Your {} connection needs to be reconnected: new bookings use the backup room until then. "
                '<a href="{}">Reconnect {}</a>',
                label,
                page,
                label,
            )
        return format_html(
            "{}'s {} connection needs to be reconnected: their new bookings use the backup room until then.",
            _member_name(connection),
            label,
        )
    if own and connection.calendar_error_at is not None:
        zone = connection.clinic.zone
        return format_html(
            "Couldn't read your {} calendar at {} ({}); bookings were not checked against it. "
            '<a href="{}">Check the connection</a>',
            label,
            f"{local_time(connection.calendar_error_at, zone):%H:%M}",
            zone_label(zone, connection.calendar_error_at),
            page,
        )
    return None


def _member_name(connection: Connection) -> str:
    member = connection.membership
    if member is None:
        return "The clinic"
    practitioner = getattr(member, "practitioner", None)
    return practitioner.display_name if practitioner else (member.user.get_full_name() or member.user.email)
