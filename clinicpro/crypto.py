"""Symmetric encryption of secrets at rest with rotatable keys.

FIELD_ENCRYPTION_KEYS is a list of Fernet keys: the first encrypts, every key
decrypts. To rotate, put a new key first, run `manage.py rotate_encryption_keys`,
then drop the old key.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "is_current", "reset_keys", "rotate"]


@lru_cache(maxsize=1)
def _keys() -> tuple[Fernet, ...]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return tuple(Fernet(key.encode() if isinstance(key, str) else key) for key in keys)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet(list(_keys()))


def reset_keys() -> None:
    """Forget the cached keys (after FIELD_ENCRYPTION_KEYS changes, e.g. in tests)."""
    _keys.cache_clear()
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the first key."""
    return _fernet().rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether the token is already encrypted under the first key (rotation can skip it)."""
    try:
        _keys()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True
