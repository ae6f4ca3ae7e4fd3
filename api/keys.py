"""Creating, revoking and checking API keys.

A key reads `cpk_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of
the whole key must match its hash (compared in constant time). Only the hash is
stored, so the key is shown once, when it is made.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinicpro.models import Clinic

from .models import ApiKey, KeyAudience, KeyScope

KEY_MARK = "cpk"
# last_used_at is written at most this often per key, so busy keys do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    plaintext: str  # shown to the owner once, never stored


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, clinic: Clinic, name: str, scope: str = KeyScope.READ, audience: str = KeyAudience.STAFF, created_by: Any = None
) -> NewKey:
    prefix = secrets.token_hex(6)
    plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        clinic=clinic,
        name=name.strip()[:100] or "API key",
        prefix=prefix,
        hashed_key=hash_key(plaintext),
        scope=scope,
        audience=audience,
        created_by=created_by,
    )
    return NewKey(api_key=api_key, plaintext=plaintext)


def api_key_revoke(*, clinic: Clinic, key_id: int) -> ApiKey | None:
    """Revoke one of the clinic's keys; it stops working on the next request. None when it is not the clinic's."""
    api_key = ApiKey.objects.filter(clinic=clinic, pk=key_id).first()
    if api_key is None:
        return None
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db()
    return api_key


def api_key_authenticate(plaintext: str) -> ApiKey | None:
    """The live key this string is, with its clinic; None for anything else (unknown, revoked, malformed)."""
    mark, _, rest = plaintext.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or not prefix or not secret:
        return None
    api_key = (
        ApiKey.objects.select_related("clinic")
        .filter(prefix=prefix, revoked_at__isnull=True, clinic__is_active=True)
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, hash_key(plaintext)):
        return None
    _touch(api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
