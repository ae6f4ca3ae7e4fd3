"""Stable /j/<token> links, one per booking and role.

They belong to the booking, not to a meeting, so a regenerated or fallback
meeting keeps every link already sent by email or SMS working.
"""

import secrets

from django.db import IntegrityError, models, transaction

from bookings.models import Booking


class JoinRole(models.TextChoices):
    PATIENT = "patient", "Patient"
    HOST = "host", "Host"


def _join_token() -> str:
    return secrets.token_urlsafe(32)


class JoinLink(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="join_links")
    role = models.CharField(max_length=10, choices=JoinRole.choices)
    token = models.CharField(max_length=64, unique=True, default=_join_token, editable=False)
    # Set when the booking is cancelled; the join page then says so instead of redirecting.
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "role"], name="one_join_link_per_role")]

    def __str__(self) -> str:
        return f"{self.role} link for booking {self.booking_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def join_link_for(booking: Booking, role: str) -> JoinLink:
    """The booking's link for this role, made on first use (safe when two requests race)."""
    if role not in JoinRole.values:
        raise ValueError(f"Unknown join role {role!r}.")
    try:
        with transaction.atomic():
            link, _created = JoinLink.objects.get_or_create(booking=booking, role=role)
    except IntegrityError:
        link = JoinLink.objects.get(booking=booking, role=role)
    return link
