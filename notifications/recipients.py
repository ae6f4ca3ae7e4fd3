"""Who hears about a booking, and on which channels.

The patient always gets email (with the calendar invitation) and, unless they
chose email only, a text on the channel they chose. A channel the clinic turned
off, or that has no gateway set up, falls back to SMS or is left out; anyone who
opted out is left out.
"""

from dataclasses import dataclass

from bookings.models import Booking, ContactChannel, Practitioner
from clinicpro.models import Clinic, Membership, Role

from .models import Channel, ClinicMessaging, OptOut, RecipientRole


@dataclass(frozen=True)
class Recipient:
    role: str
    channel: str
    address: str
    name: str = ""


def messaging_for(clinic: Clinic) -> ClinicMessaging:
    config, _ = ClinicMessaging.objects.get_or_create(clinic=clinic)
    return config


def sms_ready(config: ClinicMessaging) -> bool:
    if not config.sms_enabled:
        return False
    if config.sms_sender == "africastalking":
        return bool(config.africastalking_username and config.africastalking_api_key)
    return bool(config.twilio_account_sid and config.twilio_auth_token and config.twilio_from_number)


def whatsapp_ready(config: ClinicMessaging, kind: str) -> bool:
    return bool(
        config.whatsapp_enabled
        and config.twilio_account_sid
        and config.twilio_auth_token
        and config.twilio_whatsapp_from
        and config.twilio_whatsapp_templates.get(kind)
    )


def is_opted_out(clinic: Clinic, channel: str, address: str) -> bool:
    # WhatsApp and SMS share the phone number, and STOP on one is taken to mean both.
    channels = [Channel.SMS, Channel.WHATSAPP] if channel in (Channel.SMS, Channel.WHATSAPP) else [channel]
    return OptOut.objects.filter(clinic=clinic, channel__in=channels, address=address).exists()


def text_channel(config: ClinicMessaging, preference: str, kind: str) -> str | None:
    if preference == ContactChannel.EMAIL:
        return None
    if preference == ContactChannel.WHATSAPP and whatsapp_ready(config, kind):
        return Channel.WHATSAPP
    return Channel.SMS if sms_ready(config) else None


def patient_recipients(booking: Booking, kind: str) -> list[Recipient]:
    config = messaging_for(booking.clinic)
    patient = booking.patient
    found = []
    if config.email_enabled and patient.email:
        found.append(Recipient(RecipientRole.PATIENT, Channel.EMAIL, patient.email, patient.name))
    channel = text_channel(config, patient.contact_preference, kind)
    if channel and patient.phone:
        found.append(Recipient(RecipientRole.PATIENT, channel, patient.phone, patient.name))
    return [r for r in found if not is_opted_out(booking.clinic, r.channel, r.address)]


def practitioner_recipients(practitioner: Practitioner) -> list[Recipient]:
    user = practitioner.membership.user
    if not user.email:
        return []
    return [Recipient(RecipientRole.PRACTITIONER, Channel.EMAIL, user.email, practitioner.display_name)]


def owner_recipients(clinic: Clinic) -> list[Recipient]:
    owners = Membership.objects.filter(clinic=clinic, role=Role.OWNER).select_related("user")
    return [
        Recipient(RecipientRole.OWNER, Channel.EMAIL, m.user.email, m.user.get_full_name() or m.user.email)
        for m in owners
        if m.user.email
    ]
