"""JSON the way the API writes it: ISO 8601 times with offsets, no NaN."""

import json
from typing import Any

from ninja.responses import NinjaJSONEncoder


def dumps(data: Any) -> str:
    return json.dumps(data, cls=NinjaJSONEncoder, allow_nan=False)


def as_json(document: dict[str, Any]) -> Any:
    """A document as the JSON it is sent as (times as ISO 8601 text), to be stored and sent again unchanged."""
    return json.loads(dumps(document))
