"""The one Zoom API client: JSON calls with the connection's token, read by Zoom's error mapping."""

from integrations.models import Connection
from integrations.vendors.client import JsonApi

from .vendor import ZOOM


def zoom_api(connection: Connection) -> JsonApi:
    return JsonApi(ZOOM, connection)
