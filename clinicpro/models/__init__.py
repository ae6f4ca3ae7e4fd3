from .tenancy import Clinic, Invitation, Membership, Role

__all__ = ["Clinic", "Invitation", "Membership", "Role"]
