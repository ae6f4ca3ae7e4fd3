"""A small Daraja (M-Pesa) client with no Django imports, reusable outside ClinicPro.

The caller gives it a `requests.Session` (ClinicPro passes `clinicpro.http.http_session()`,
which enforces timeouts and safe logging) and a `TokenCache` (ClinicPro's keeps one token
per clinic in Redis, refreshed under a lock).
"""

from .client import DarajaClient, Exchange
from .credentials import DarajaCredentials, TransactionType
from .errors import DarajaError, InvalidRequest, describe_error_code, describe_result_code
from .messages import (
    C2BRegistered,
    StkPushAccepted,
    StkPushRequest,
    StkQueryResult,
)
from .phones import normalise_msisdn
from .tokens import MemoryTokenCache, TokenCache

__all__ = [
    "C2BRegistered",
    "DarajaClient",
    "DarajaCredentials",
    "DarajaError",
    "Exchange",
    "InvalidRequest",
    "MemoryTokenCache",
    "StkPushAccepted",
    "StkPushRequest",
    "StkQueryResult",
    "TokenCache",
    "TransactionType",
    "describe_error_code",
    "describe_result_code",
    "normalise_msisdn",
]
