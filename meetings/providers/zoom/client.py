"""The one Zoom API client: JSON calls with the connection's token, read by Zoom's error mapping."""

from typing import Any

from clinicpro.http import http_session
from integrations.models import Connection
from integrations.vendors.client import call_json

from .vendor import ZOOM


class ZoomClient:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._session = http_session()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = call_json(
            self.connection,
            vendor=ZOOM,
            session=self._session,
            method=method,
            url=ZOOM.endpoints().api.rstrip("/") + path,
            **kwargs,
        )
        return body if isinstance(body, dict) else {}
