"""The one Microsoft Graph client: JSON calls with the connection's token, read by Graph's error mapping."""

from typing import Any

from clinicpro.http import http_session
from integrations.models import Connection
from integrations.vendors.client import call_json

from .vendor import MICROSOFT

# Ask Graph to speak UTC back to us, whatever the mailbox's own zone.
PREFER_UTC = {"Prefer": 'outlook.timezone="UTC"'}


class GraphClient:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._session = http_session()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = call_json(
            self.connection,
            vendor=MICROSOFT,
            session=self._session,
            method=method,
            url=MICROSOFT.endpoints().api.rstrip("/") + path,
            headers=PREFER_UTC,
            **kwargs,
        )
        return body if isinstance(body, dict) else {}
