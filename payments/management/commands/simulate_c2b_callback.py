from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicpro.http import http_session
from payments.daraja import InvalidRequest, normalise_msisdn
from payments.testing import c2b_body
from payments.urls_callbacks import callback_url

from ._clinic import invoice_of, mpesa_of


class Command(BaseCommand):
    help = "Post a Daraja-shaped Paybill payment (validation, then confirmation if accepted) to the clinic's URLs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="Invoice reference (what the payer types as the account number).")
        parser.add_argument("clinic", help="The clinic's slug.")
        parser.add_argument("amount")
        parser.add_argument("phone")

    def handle(self, *args: Any, reference: str, clinic: str, amount: str, phone: str, **options: Any) -> None:
        mpesa = mpesa_of(clinic)
        invoice_of(mpesa, reference)
        try:
            msisdn = normalise_msisdn(phone)
        except InvalidRequest as exc:
            raise CommandError(str(exc)) from None
        body = c2b_body(
            bill_ref=reference, amount=str(amount), shortcode=mpesa.shortcode, msisdn=f"{msisdn[:5]}****{msisdn[-3:]}"
        )
        session = http_session()
        validation = session.post(callback_url(mpesa, "c2b_validation"), json=body)
        self.stdout.write(f"Validation: HTTP {validation.status_code} {validation.text[:200]}")
        if validation.status_code != 200 or str(validation.json().get("ResultCode")) != "0":
            self.stdout.write("Rejected at validation: no confirmation sent.")
            return
        confirmation = session.post(callback_url(mpesa, "c2b_confirmation"), json=body)
        self.stdout.write(f"Confirmation: HTTP {confirmation.status_code} {confirmation.text[:200]}")
