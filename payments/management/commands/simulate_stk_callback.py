import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicpro.http import http_session
from payments.daraja import InvalidRequest, normalise_msisdn
from payments.testing import stk_body
from payments.urls_callbacks import callback_url

from ._clinic import invoice_of, mpesa_of


class Command(BaseCommand):
    help = (
        "Post a Daraja-shaped STK callback for the invoice's latest prompt to the clinic's callback URL over HTTP. "
        "A success is only recorded when STK Query on the clinic's credentials agrees."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="Invoice reference (the AccountReference).")
        parser.add_argument("clinic", help="The clinic's slug.")
        parser.add_argument("amount", type=float)
        parser.add_argument("phone")
        parser.add_argument("--result-code", type=int, default=0, help="0 paid; 1, 1032, 1037, 2001... failures.")

    def handle(
        self, *args: Any, reference: str, clinic: str, amount: float, phone: str, result_code: int, **o: Any
    ) -> None:
        mpesa = mpesa_of(clinic)
        invoice = invoice_of(mpesa, reference)
        attempt = invoice.attempts.exclude(checkout_request_id=None).order_by("-created_at").first()
        if attempt is None:
            raise CommandError(f"Invoice {invoice.reference} has no M-Pesa prompt to answer.")
        try:
            msisdn = normalise_msisdn(phone)
        except InvalidRequest as exc:
            raise CommandError(str(exc)) from None
        body = stk_body(
            attempt.checkout_request_id or "",
            result_code=result_code,
            amount=amount,
            phone=msisdn,
            merchant_request_id=attempt.merchant_request_id,
        )
        response = http_session().post(callback_url(mpesa, "stk"), json=body)
        self.stdout.write(f"Posted to the STK result URL: HTTP {response.status_code} {response.text[:200]}")
        self.stdout.write(json.dumps(body, indent=2))
