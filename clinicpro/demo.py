"""Demo data of the foundation: the demo clinic and its people.

`manage.py seed_demo` calls `seed(context)` here first, then in bookings,
meetings, integrations and payments. Every seed must be idempotent and may add
lines to print at the end: `context["lines"]["logins"]` and `context["lines"]["links"]`.
"""

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from .models import Clinic, Membership, Role

DEMO_PASSWORD = "clinicpro-demo"
DOMAIN = "demo.clinicpro.test"


class Lines(dict):
    """The closing summary, by heading; `append` files a line under "links"."""

    def __init__(self) -> None:
        super().__init__(logins=[], links=[])

    def __missing__(self, key: str) -> list[str]:
        self[key] = []
        return self[key]

    def append(self, line: str) -> None:
        self["links"].append(line)


def demo_user(local_part: str, first_name: str, last_name: str, *, staff: bool = False) -> User:
    """A user with a verified email and the demo password (set once, on creation)."""
    email = f"{local_part}@{DOMAIN}"
    user, created = get_user_model().objects.get_or_create(
        username=local_part,
        defaults={
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic, _ = Clinic.objects.update_or_create(
        slug="demo",
        defaults={
            "name": "Demo Clinic",
            "timezone": "Africa/Nairobi",
            "currency": "KES",
            "contact_email": f"hello@{DOMAIN}",
            "contact_phone": "+254700000000",
            "address": "Ngong Road, Nairobi",
            "is_active": True,
        },
    )
    owner = demo_user("owner", "Amina", "Odhiambo")
    practitioners = [demo_user("wanjiru", "Wanjiru", "Kamau"), demo_user("otieno", "Brian", "Otieno")]
    patient = demo_user("patient", "Grace", "Njeri")
    admin = demo_user("admin", "Platform", "Admin", staff=True)
    Membership.objects.update_or_create(clinic=clinic, user=owner, defaults={"role": Role.OWNER})
    for user in practitioners:
        Membership.objects.update_or_create(clinic=clinic, user=user, defaults={"role": Role.PRACTITIONER})

    lines = context.setdefault("lines", Lines())
    lines["logins"] += [
        f"owner         {owner.email}",
        f"practitioner  {practitioners[0].email}",
        f"practitioner  {practitioners[1].email}",
        f"patient       {patient.email}",
        f"admin         {admin.email}  (Django admin at {settings.SITE_URL}/admin/)",
    ]
    lines["links"] += [
        f"Sign in           {settings.SITE_URL}/accounts/login/",
        f"Clinic dashboard  {settings.SITE_URL}/c/{clinic.slug}/",
        f"Members           {settings.SITE_URL}/c/{clinic.slug}/members/",
        f"Health            {settings.SITE_URL}/healthz",
    ]
    context.update(clinic=clinic, owner=owner, practitioner_users=practitioners, patient_user=patient, admin_user=admin)
    return context
