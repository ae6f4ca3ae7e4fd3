"""Cursor pagination over a time column, latest first, with the primary key breaking ties.

The cursor is opaque to clients (base64 of the last row's time and id), so rows
added while a client pages never shift a page or repeat a row.
"""

import base64
import binascii
from datetime import datetime
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from .problems import ApiProblem

M = TypeVar("M", bound=Model)


def encode_cursor(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, pk = raw.partition("|")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiProblem(400, "invalid_cursor", "The cursor is not valid", "Use next_cursor as given.") from exc


def latest_first_page(rows: QuerySet[M], field: str, cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of `rows` ordered by `field` then pk, both descending, and the cursor of the next page."""
    rows = rows.order_by(f"-{field}", "-pk")
    if cursor:
        moment, pk = decode_cursor(cursor)
        rows = rows.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], encode_cursor(getattr(last, field), last.pk)
