"""JSON the way the API writes it: ISO 8601 times with offsets, no NaN."""

import json
from typing import Any

from ninja.responses import NinjaJSONEncoder


def dumps(data: Any) -> str:
    return json.dumps(data, cls=NinjaJSONEncoder, allow_nan=False)
