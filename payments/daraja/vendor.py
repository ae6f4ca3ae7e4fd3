"""Daraja as one vendor descriptor: how it authenticates, where it lives, how its errors read."""

from dataclasses import dataclass, field

from .errors import ERROR_CODES, RESULT_CODES, describe_error_code, describe_result_code


@dataclass(frozen=True)
class VendorDescriptor:
    key: str
    label: str
    # Who holds the credentials: each clinic brings its own Daraja app.
    auth: str
    base_urls: dict[str, str]
    error_codes: dict[str, str] = field(default_factory=dict)
    result_codes: dict[str, str] = field(default_factory=dict)
    docs_url: str = ""

    def describe_error(self, code: str, message: str = "") -> str:
        return describe_error_code(code, message)

    def describe_result(self, code: str) -> str:
        return describe_result_code(code)


DARAJA = VendorDescriptor(
    key="daraja",
    label="M-Pesa (Safaricom Daraja)",
    auth="clinic_client_credentials",
    base_urls={"production": "https://api.safaricom.co.ke", "sandbox": "https://sandbox.safaricom.co.ke"},
    error_codes=ERROR_CODES,
    result_codes=RESULT_CODES,
    docs_url="https://developer.safaricom.co.ke/APIs",
)

descriptor = DARAJA
