"""A Daraja client for one clinic: its credentials, the shared HTTP session and token cache, and the audit trail."""

import logging
from collections.abc import Callable

from clinicpro.http import http_session

from .daraja import DarajaClient, Exchange
from .models import DarajaAudit, MpesaSettings
from .token_cache import SharedTokenCache

logger = logging.getLogger(__name__)


class NotConfigured(Exception):
    pass


def audit_recorder(clinic_id: int) -> Callable[[Exchange], None]:
    def record(exchange: Exchange) -> None:
        # Written in its own autocommit statement: audit rows survive whatever the caller rolls back.
        DarajaAudit.objects.create(
            clinic_id=clinic_id,
            operation=exchange.operation,
            path=exchange.path,
            request_body=exchange.request_body,
            status_code=exchange.status,
            response_body=exchange.response_body,
            error_code=exchange.error_code,
            error=exchange.error[:300],
            duration_ms=exchange.duration_ms,
        )
        if exchange.error_code:
            logger.info("Daraja %s for clinic %s failed: %s", exchange.operation, clinic_id, exchange.error_code)

    return record


def daraja_for(mpesa: MpesaSettings) -> DarajaClient:
    if not (mpesa.consumer_key and mpesa.consumer_secret and mpesa.passkey and mpesa.shortcode):
        raise NotConfigured("M-Pesa is not fully set up for this clinic.")
    return DarajaClient(
        session=http_session(),
        credentials=mpesa.credentials(),
        tokens=SharedTokenCache(),
        on_exchange=audit_recorder(mpesa.clinic_id),
    )
