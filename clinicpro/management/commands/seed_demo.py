"""Create (or refresh) the demo clinic and everything the other apps show in it.

Idempotent: running it again changes nothing that is already there.
"""

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from clinicpro.demo import DEMO_PASSWORD, Lines

# The order matters: each seed builds on what the earlier ones put in the context.
SEED_APPS = ["clinicpro", "bookings", "meetings", "integrations", "payments", "notifications", "api"]


def seed_module(app_label: str) -> Any:
    if not apps.is_installed(app_label):
        return None
    try:
        return import_module(f"{app_label}.demo")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app_label}.demo":
            return None
        raise


class Command(BaseCommand):
    help = "Seed the demo clinic (slug 'demo') with its people, services, bookings and sandbox connections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG and SANDBOX_ENABLED are off (the demo users have a published password).",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        if not (settings.DEBUG or settings.SANDBOX_ENABLED or allow_production):
            raise CommandError(
                "Refusing to seed demo users with a published password: DEBUG and SANDBOX_ENABLED are off. "
                "Pass --allow-production if this really is a demo installation."
            )
        context: dict[str, Any] = {"lines": Lines()}
        for app_label in SEED_APPS:
            module = seed_module(app_label)
            if module is None:
                continue
            with transaction.atomic():
                context = module.seed(context) or context
            self.stdout.write(f"Seeded {app_label}.")
        self.print_summary(context)

    def print_summary(self, context: dict[str, Any]) -> None:
        lines = context["lines"]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {context['clinic'].name}"))
        self.stdout.write(f"Logins (password for every demo user: {DEMO_PASSWORD}):")
        for line in lines.get("logins", []):
            self.stdout.write(f"  {line}")
        for heading, entries in lines.items():
            if heading == "logins" or not entries:
                continue
            self.stdout.write(f"{heading.capitalize()}:")
            for line in entries:
                self.stdout.write(f"  {line}")
