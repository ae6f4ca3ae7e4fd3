"""Daraja as the vendor registry describes it: each clinic's own app, Safaricom's hosts, errors in words.

Only `integrations.vendors.base` is imported here, which reads Django settings at call time,
so the client package still imports without Django.
"""

from integrations.vendors.base import AuthKind, Endpoints, Vendor
from integrations.vendors.http import VendorError, VendorResponse

from .errors import describe_error_code

# Safaricom's own hosts; a clinic's M-Pesa settings choose one (or name another base URL).
SAFARICOM_BASE_URLS: dict[str, str] = {
    "production": "https://api.safaricom.co.ke",
    "sandbox": "https://sandbox.safaricom.co.ke",
}


def raise_for_response(response: VendorResponse) -> None:
    """Daraja's `{"errorCode", "errorMessage"}` as a VendorError a receptionist can read."""
    if response.ok:
        return
    body = response.body if isinstance(response.body, dict) else {}
    code = str(body.get("errorCode", ""))
    message = str(body.get("errorMessage", ""))
    # 400 on OAuth with an empty body: the consumer key or secret is wrong.
    if not code and response.status == 400:
        code = "oauth.invalid_credentials"
    # Spike arrest and 5xx pass; a refused field or credential does not.
    transient = (response.status >= 500 and code != "500.001.1001") or code == "500.003.02"
    raise VendorError(
        describe_error_code(code, message),
        permanent=not transient,
        retry_after=response.retry_after,
        status_code=response.status,
    )


DARAJA = Vendor(
    key="daraja",
    label="M-Pesa (Safaricom Daraja)",
    # Each clinic brings its own Daraja app: consumer key and secret in its M-Pesa settings.
    auth=(AuthKind.CLIENT_CREDENTIALS,),
    production=Endpoints(
        api=SAFARICOM_BASE_URLS["production"],
        token=f"{SAFARICOM_BASE_URLS['production']}/oauth/v1/generate",
    ),
    sandbox=Endpoints(api="{sandbox}/daraja", token="{sandbox}/daraja/oauth/v1/generate"),
    error_mapping=raise_for_response,
    sandbox_setting="SANDBOX_ENABLED",
    emulator="sandbox.daraja.urls",
)
