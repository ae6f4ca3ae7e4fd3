"""The clinic's connections to Google, Zoom and Microsoft (read)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from .. import selectors
from ..auth import caller_of
from ..schemas import IntegrationOut
from .common import ERRORS

router = Router(tags=["Integrations"])


@router.get("/integrations", response={200: list[IntegrationOut], **ERRORS}, summary="Connections and their status")
def list_integrations(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.clinic_connections(caller_of(request).clinic)
