"""Tenancy operations: invitations and memberships.

Each function validates, writes under one transaction, and raises TenancyError
with a message fit to show the person who asked.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import tasks
from .models import Clinic, Invitation, InvitationStatus, Membership, Role


class TenancyError(Exception):
    """A refused tenancy operation; the message is meant for the user."""


_REFUSALS = {
    InvitationStatus.ACCEPTED: "This invitation has already been accepted. Each invitation link works once.",
    InvitationStatus.REVOKED: "This invitation was withdrawn by the clinic. Ask the clinic owner for a new one.",
    InvitationStatus.EXPIRED: "This invitation has expired. Ask the clinic owner to send a new one.",
}


def invitation_refusal(invitation: Invitation) -> str:
    """Why an invitation cannot be accepted, or "" when it can."""
    if not invitation.clinic.is_active:
        return f"{invitation.clinic.name} is no longer active on ClinicPro."
    return _REFUSALS.get(invitation.status, "")


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": invitation.token})


def invitation_create(*, clinic: Clinic, email: str, role: str, invited_by: User) -> Invitation:
    """Invite `email` to the clinic with `role` and email them the link (after commit)."""
    email = email.strip().lower()
    if role not in Role.values:
        raise TenancyError(f"Unknown role {role!r}.")
    if Membership.objects.filter(clinic=clinic, user__email__iexact=email).exists():
        raise TenancyError(f"{email} is already a member of {clinic.name}.")
    with transaction.atomic():
        # Only the newest link for an address works, so a resent invitation retires the old one.
        Invitation.objects.filter(
            clinic=clinic, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(clinic=clinic, email=email, role=role, invited_by=invited_by)
        transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk))
    return invitation


def invitation_send_email(*, invitation_id: int) -> bool:
    """Email the invitation link; False when the invitation is no longer usable."""
    invitation = Invitation.objects.select_related("clinic", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return False
    context = {"invitation": invitation, "clinic": invitation.clinic, "url": invitation_url(invitation)}
    subject = render_to_string("clinicpro/email/invitation_subject.txt", context).strip()
    body = render_to_string("clinicpro/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    return True


def invitation_revoke(*, invitation: Invitation) -> None:
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise TenancyError("This invitation was already accepted or withdrawn.")


def invitation_addressed_to(*, invitation: Invitation, user: User) -> bool:
    """Whether `user` has verified the address the invitation was sent to."""
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


def invitation_accept(*, token: str, user: User) -> Membership:
    """Make `user` a member with the invited role. An invitation is accepted once."""
    invitation = Invitation.objects.select_related("clinic").filter(token=token).first()
    if invitation is None:
        raise TenancyError("This invitation link is not valid. Check that you copied the whole link.")
    refusal = invitation_refusal(invitation)
    if refusal:
        raise TenancyError(refusal)
    if not invitation_addressed_to(invitation=invitation, user=user):
        # The link alone proves nothing: it can be forwarded, leaked or read over a shoulder.
        raise TenancyError(
            f"This invitation is for {invitation.email}. Sign in with that address, verified, to accept it."
        )
    clinic = invitation.clinic
    if Membership.objects.filter(clinic=clinic, user=user).exists():
        raise TenancyError(f"You are already a member of {clinic.name}.")
    now = timezone.now()
    try:
        with transaction.atomic():
            # The conditional UPDATE is the claim: of two concurrent accepts exactly one matches.
            claimed = Invitation.objects.filter(
                pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            ).update(accepted_at=now, accepted_by=user)
            if not claimed:
                invitation.refresh_from_db()
                raise TenancyError(invitation_refusal(invitation) or _REFUSALS[InvitationStatus.ACCEPTED])
            return Membership.objects.create(clinic=clinic, user=user, role=invitation.role)
    except IntegrityError:
        raise TenancyError(f"You are already a member of {clinic.name}.") from None


def _lock_owners(clinic: Clinic) -> int:
    """Lock the clinic row so two owners cannot demote each other at once; return the owner count."""
    Clinic.objects.select_for_update().get(pk=clinic.pk)
    return Membership.objects.filter(clinic=clinic, role=Role.OWNER).count()


def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise TenancyError(f"Unknown role {role!r}.")
    with transaction.atomic():
        owners = _lock_owners(membership.clinic)
        membership.refresh_from_db()
        if membership.role == Role.OWNER and role != Role.OWNER and owners <= 1:
            raise TenancyError(f"{membership.user.email} is the only owner; make someone else an owner first.")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, membership: Membership) -> None:
    with transaction.atomic():
        owners = _lock_owners(membership.clinic)
        membership.refresh_from_db()
        if membership.role == Role.OWNER and owners <= 1:
            raise TenancyError(f"{membership.user.email} is the only owner and cannot be removed.")
        try:
            with transaction.atomic():
                membership.delete()
        except ProtectedError:
            raise TenancyError(
                f"{membership.user.email} has bookings on record, so the membership stays; "
                "change their role or mark their practitioner profile inactive instead."
            ) from None
