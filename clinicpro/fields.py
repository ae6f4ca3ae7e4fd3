"""A text field whose value is encrypted in the database."""

from typing import Any

from django.db import models

from . import crypto

MASK = "••••••••"


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext.

    Not searchable or orderable by value, by design. Empty values stay empty so
    "not configured" is visible without decrypting.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def to_python(self, value: Any) -> Any:
        return value


def mask(value: str | None) -> str:
    """How a secret appears in admin and logs: never the value itself."""
    if not value:
        return "(not set)"
    return f"{MASK}{value[-4:]}" if len(value) >= 16 else MASK
