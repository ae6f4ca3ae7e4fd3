"""Typed requests and responses of the Daraja calls ClinicPro makes, with Daraja's limits checked."""

import re
from dataclasses import dataclass
from typing import Any

from .errors import DarajaError, InvalidRequest
from .phones import normalise_msisdn

MIN_AMOUNT = 1
MAX_AMOUNT = 250_000
ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13
SHORTCODE = re.compile(r"^\d{5,7}$")
# Safaricom refuses callback URLs holding these words, in any case.
BANNED_URL_WORDS = ("m-pesa", "mpesa", "safaricom", "exe", "exec", "cmd", "sql", "query")


def whole_amount(value: Any) -> int:
    """An amount M-Pesa accepts: a whole number of shillings from 1 to 250,000."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidRequest("The amount must be a whole number of shillings.")
    try:
        number = float(value)
    except ValueError:
        raise InvalidRequest("The amount must be a whole number of shillings.") from None
    if number != int(number):
        raise InvalidRequest("M-Pesa takes whole shillings only; this amount has cents.")
    amount = int(number)
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise InvalidRequest(f"M-Pesa takes amounts from KES {MIN_AMOUNT} to KES {MAX_AMOUNT:,}.")
    return amount


def check_shortcode(value: str) -> str:
    text = (value or "").strip()
    if not SHORTCODE.fullmatch(text):
        raise InvalidRequest("A shortcode (Paybill, till or store number) has 5 to 7 digits.")
    return text


def check_callback_url(url: str) -> str:
    lowered = url.lower()
    for word in BANNED_URL_WORDS:
        if word in lowered:
            raise InvalidRequest(f"Safaricom refuses callback addresses containing {word!r}.")
    if not lowered.startswith(("https://", "http://")):
        raise InvalidRequest("A callback address must be a full http(s) URL.")
    return url


@dataclass(frozen=True)
class StkPushRequest:
    phone: str
    amount: int
    account_reference: str
    callback_url: str
    description: str = "Payment"

    def __post_init__(self) -> None:
        object.__setattr__(self, "phone", normalise_msisdn(self.phone))
        object.__setattr__(self, "amount", whole_amount(self.amount))
        if not self.account_reference or len(self.account_reference) > ACCOUNT_REFERENCE_MAX:
            raise InvalidRequest(f"The account reference must have 1 to {ACCOUNT_REFERENCE_MAX} characters.")
        object.__setattr__(self, "description", (self.description or "Payment")[:TRANSACTION_DESC_MAX])
        check_callback_url(self.callback_url)


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        raise DarajaError("http.bad_response", f"The answer has no {key}.")
    return str(value)


@dataclass(frozen=True)
class StkPushAccepted:
    merchant_request_id: str
    checkout_request_id: str
    customer_message: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> "StkPushAccepted":
        if str(body.get("ResponseCode", "")) != "0":
            raise DarajaError(str(body.get("ResponseCode", "")), str(body.get("ResponseDescription", "")))
        return cls(
            merchant_request_id=_text(body, "MerchantRequestID"),
            checkout_request_id=_text(body, "CheckoutRequestID"),
            customer_message=str(body.get("CustomerMessage", "")),
        )


@dataclass(frozen=True)
class StkQueryResult:
    """What STK Query says about a prompt: `pending` while the phone has not answered."""

    checkout_request_id: str
    pending: bool
    result_code: str = ""
    result_desc: str = ""

    @property
    def succeeded(self) -> bool:
        return not self.pending and self.result_code == "0"

    @classmethod
    def from_body(cls, checkout_request_id: str, body: dict[str, Any]) -> "StkQueryResult":
        if str(body.get("ResponseCode", "")) != "0":
            raise DarajaError(str(body.get("ResponseCode", "")), str(body.get("ResponseDescription", "")))
        # ResultCode arrives as a string here (a number in callbacks): compare as text.
        return cls(
            checkout_request_id=checkout_request_id,
            pending=False,
            result_code=str(_text(body, "ResultCode")).strip(),
            result_desc=str(body.get("ResultDesc", "")),
        )


@dataclass(frozen=True)
class C2BRegistered:
    conversation_id: str
    description: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> "C2BRegistered":
        if str(body.get("ResponseCode", "")) != "0":
            raise DarajaError(str(body.get("ResponseCode", "")), str(body.get("ResponseDescription", "")))
        # "OriginatorCoversationID": Daraja's own spelling.
        conversation = body.get("OriginatorCoversationID") or body.get("OriginatorConversationID") or ""
        return cls(conversation_id=str(conversation), description=str(body.get("ResponseDescription", "")))
