"""Reads of connections. Every lookup goes through a membership or a clinic."""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from clinicpro.models import Clinic, Membership, Role

from .models import Connection, ConnectionKind, ConnectionStatus

if TYPE_CHECKING:
    from bookings.models import Practitioner


def active_connection(*, practitioner: "Practitioner", provider: str) -> Connection | None:
    """The practitioner's active connection to the vendor `provider` (a key of integrations.vendors.registry)."""
    return (
        Connection.objects.select_related("clinic")
        .filter(
            membership_id=practitioner.membership_id,
            clinic_id=practitioner.clinic_id,
            provider=provider,
            kind=ConnectionKind.OAUTH,
            status=ConnectionStatus.ACTIVE,
        )
        .first()
    )


def current_connection(*, membership: Membership, provider: str) -> Connection | None:
    """The member's connection that is not disconnected: active or waiting for a reconnect."""
    return (
        Connection.objects.filter(membership=membership, provider=provider, kind=ConnectionKind.OAUTH)
        .exclude(status=ConnectionStatus.REVOKED)
        .first()
    )


def clinic_connection(clinic: Clinic, *, provider: str) -> Connection | None:
    """The clinic's active account of its own at `provider` (client credentials, e.g. Zoom Server-to-Server)."""
    return (
        Connection.objects.select_related("clinic")
        .filter(clinic=clinic, provider=provider, kind=ConnectionKind.SERVER_TO_SERVER, status=ConnectionStatus.ACTIVE)
        .first()
    )


def current_clinic_connection(clinic: Clinic, *, provider: str) -> Connection | None:
    return (
        Connection.objects.filter(clinic=clinic, provider=provider, kind=ConnectionKind.SERVER_TO_SERVER)
        .exclude(status=ConnectionStatus.REVOKED)
        .first()
    )


def connections_visible_to(user: Any) -> QuerySet[Connection]:
    """A user's own connections, and the clinic-wide ones of clinics they own."""
    if not user.is_authenticated:
        return Connection.objects.none()
    owned_clinics = Membership.objects.filter(user=user, role=Role.OWNER, clinic__is_active=True).values("clinic_id")
    return Connection.objects.filter(
        Q(membership__user=user, membership__clinic__is_active=True)
        | Q(kind=ConnectionKind.SERVER_TO_SERVER, clinic_id__in=owned_clinics)
    )


def connection_for_user(user: Any, pk: int) -> Connection:
    """A connection the user may act on, or 404: another practitioner's or clinic's looks like none."""
    connection = connections_visible_to(user).select_related("clinic", "membership").filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def connections_needing_attention(membership: Membership) -> QuerySet[Connection]:
    """What a member should be told about: their own connections, and the clinic's if they own it."""
    own = Q(membership=membership)
    if membership.role == Role.OWNER:
        own |= Q(clinic_id=membership.clinic_id)
    return (
        Connection.objects.filter(own, clinic_id=membership.clinic_id)
        .filter(
            Q(status=ConnectionStatus.NEEDS_RECONNECT)
            | Q(status=ConnectionStatus.ACTIVE, calendar_error_at__isnull=False)
        )
        .select_related("membership__user")
    )
