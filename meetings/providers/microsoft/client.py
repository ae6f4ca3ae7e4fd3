"""The one Microsoft Graph client: JSON calls with the connection's token, read by Graph's error mapping."""

from integrations.models import Connection
from integrations.vendors.client import JsonApi

from .vendor import MICROSOFT

# Ask Graph to speak UTC back to us, whatever the mailbox's own zone.
PREFER_UTC = {"Prefer": 'outlook.timezone="UTC"'}


def graph_api(connection: Connection) -> JsonApi:
    return JsonApi(MICROSOFT, connection, headers=PREFER_UTC)
