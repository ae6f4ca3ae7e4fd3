from django.core.management.base import CommandError

from clinicpro.models import Clinic
from payments.models import Invoice, MpesaSettings


def mpesa_of(slug: str) -> MpesaSettings:
    mpesa = MpesaSettings.objects.select_related("clinic").filter(clinic__slug=slug).first()
    if mpesa is None:
        if not Clinic.objects.filter(slug=slug).exists():
            raise CommandError(f"No clinic has the slug {slug!r}.")
        raise CommandError(f"Clinic {slug!r} has no M-Pesa settings yet (Payments → M-Pesa settings).")
    return mpesa


def invoice_of(mpesa: MpesaSettings, reference: str) -> Invoice:
    invoice = Invoice.objects.filter(clinic_id=mpesa.clinic_id, reference=reference.strip().upper()).first()
    if invoice is None:
        raise CommandError(f"Clinic {mpesa.clinic.slug!r} has no invoice {reference!r}.")
    return invoice
