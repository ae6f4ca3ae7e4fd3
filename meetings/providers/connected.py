"""What the providers backed by a connected account share beyond integrations.vendors.client."""

from clinicpro.models import Clinic


def send_provider_invites(clinic: Clinic) -> bool:
    """Whether the clinic asked the vendor to mail its own invitations to the patient (off unless opted in)."""
    from meetings.models import ClinicMeetingSettings

    clinic_settings = ClinicMeetingSettings.objects.filter(clinic=clinic).first()
    return bool(clinic_settings and clinic_settings.send_provider_invites)
