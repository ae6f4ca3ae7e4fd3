"""Signed unsubscribe links: they name a clinic, a channel and an address, and cannot be forged."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


def unsubscribe_token(*, clinic_id: int, channel: str, address: str) -> str:
    return signing.dumps({"c": clinic_id, "ch": channel, "a": address}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str, str] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return int(data["c"]), str(data["ch"]), str(data["a"])


def unsubscribe_url(*, clinic_id: int, channel: str, address: str) -> str:
    token = unsubscribe_token(clinic_id=clinic_id, channel=channel, address=address)
    return settings.SITE_URL + reverse("notifications_unsubscribe", args=[token])
