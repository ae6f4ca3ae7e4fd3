from .tenancy import Clinic, Invitation, InvitationStatus, Membership, Role

__all__ = ["Clinic", "Invitation", "InvitationStatus", "Membership", "Role"]
