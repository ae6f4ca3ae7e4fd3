"""What the providers backed by a connected account share beyond integrations.vendors.client."""

from dataclasses import dataclass

from bookings.models import Practitioner
from clinicpro.models import Clinic
from integrations.selectors import current_connection
from integrations.vendors.base import Vendor

from .base import NoAccountError


@dataclass(frozen=True)
class MissingAccount:
    """Why there is no account to make a practitioner's meetings with, in words that blame no one."""

    # Said after the practitioner's name in the service editor: "Dr. Otieno Were: ... – no Google connection".
    summary: str
    # Names whose account it is: "Dr. Otieno Were has no Google connection".
    sentence: str
    # An account was connected and has been refused since: someone must reconnect it.
    reconnect: bool = False

    def error(self) -> NoAccountError:
        return NoAccountError(self.sentence, reconnect=self.reconnect)


def missing_account(vendor: Vendor, practitioner: Practitioner | None) -> MissingAccount:
    """The practitioner's account at `vendor` that cannot be used: one to reconnect, or one never connected."""
    who = practitioner.display_name if practitioner is not None else "The practitioner"
    if practitioner is not None and current_connection(membership=practitioner.membership, provider=vendor.key):
        return MissingAccount(
            summary=f"{vendor.label} connection needs reconnecting",
            sentence=f"The {vendor.label} connection of {who} needs reconnecting",
            reconnect=True,
        )
    return MissingAccount(summary=f"no {vendor.label} connection", sentence=f"{who} has no {vendor.label} connection")


def send_provider_invites(clinic: Clinic) -> bool:
    """Whether the clinic asked the vendor to mail its own invitations to the patient (off unless opted in)."""
    from meetings.models import ClinicMeetingSettings

    clinic_settings = ClinicMeetingSettings.objects.filter(clinic=clinic).first()
    return bool(clinic_settings and clinic_settings.send_provider_invites)
