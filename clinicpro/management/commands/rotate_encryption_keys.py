"""Re-encrypt every EncryptedTextField value under the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first (keep the old ones after it), deploy, run this
command, then remove the old keys. Rows are processed in primary-key order, in
batches, each batch in its own transaction with its rows locked so a
concurrent write is never overwritten with an older value.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, TextField, Value

from clinicpro import crypto
from clinicpro.fields import EncryptedTextField


@dataclass
class Tally:
    rotated: int = 0
    current: int = 0
    unreadable: list[Any] = field(default_factory=list)  # primary keys


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with its own EncryptedTextFields (proxies share their parent's table)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        names = [f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_model(model: type[models.Model], names: list[str], batch_size: int) -> dict[str, Tally]:
    tallies = {name: Tally() for name in names}
    # Read the stored ciphertext itself: a plain TextField output skips the field's decryption.
    raw = {f"_raw_{name}": ExpressionWrapper(F(name), output_field=TextField()) for name in names}
    last_pk = None
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk").annotate(**raw).select_for_update()
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", *raw)[:batch_size])
            for pk, *tokens in batch:
                changes = {}
                for name, token in zip(names, tokens, strict=True):
                    if not token:
                        continue
                    if crypto.is_current(token):
                        tallies[name].current += 1
                        continue
                    try:
                        changes[name] = Value(crypto.rotate(token), output_field=TextField())
                    except crypto.InvalidToken:
                        tallies[name].unreadable.append(pk)
                        continue
                    tallies[name].rotated += 1
                if changes:
                    model._base_manager.filter(pk=pk).update(**changes)
        if len(batch) < batch_size:
            return tallies
        last_pk = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        crypto.reset_keys()
        unreadable = []
        columns = encrypted_columns()
        if not columns:
            self.stdout.write("No encrypted columns found.")
        for model, names in columns:
            for name, tally in rotate_model(model, names, batch_size).items():
                self.stdout.write(
                    f"{model._meta.label}.{name}: {tally.rotated} re-encrypted, "
                    f"{tally.current} already under the first key, {len(tally.unreadable)} unreadable"
                )
                if tally.unreadable:
                    unreadable.append(f"{model._meta.label}.{name} (pk {', '.join(map(str, tally.unreadable[:20]))})")
        if unreadable:
            raise CommandError(
                "Some values decrypt with none of FIELD_ENCRYPTION_KEYS; put back the key they were written with: "
                + "; ".join(unreadable)
            )
        self.stdout.write(self.style.SUCCESS("Every encrypted value is now under the first key."))
