from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from payments.urls_callbacks import callback_urls

from ._clinic import mpesa_of


class Command(BaseCommand):
    help = "Print a clinic's three M-Pesa callback URLs (STK result, C2B validation, C2B confirmation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", required=True, help="The clinic's slug.")

    def handle(self, *args: Any, clinic: str, **options: Any) -> None:
        for kind, url in callback_urls(mpesa_of(clinic)).items():
            self.stdout.write(f"{kind}: {url}")
