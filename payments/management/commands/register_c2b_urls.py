from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.services import mpesa_c2b_register

from ._clinic import mpesa_of


class Command(BaseCommand):
    help = "Register a clinic's C2B validation and confirmation URLs with Daraja (Paybill/Till payments)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", required=True, help="The clinic's slug.")
        parser.add_argument(
            "--response-type",
            choices=["Completed", "Cancelled"],
            default="Completed",
            help="What M-Pesa does when our validation does not answer in time (default: Completed).",
        )

    def handle(self, *args: Any, clinic: str, response_type: str, **options: Any) -> None:
        problem = mpesa_c2b_register(mpesa=mpesa_of(clinic), response_type=response_type)
        if problem:
            raise CommandError(problem)
        self.stdout.write(self.style.SUCCESS("Registered the C2B URLs with Daraja."))
