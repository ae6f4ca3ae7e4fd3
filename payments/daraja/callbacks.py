"""What Safaricom posts to our callback URLs, read strictly enough to trust and loosely where Daraja wobbles.

STK callbacks carry Amount as a float, TransactionDate and PhoneNumber as numbers,
and a Balance item often without a Value; failures carry no CallbackMetadata.
C2B bodies carry every value as a string, and MSISDN hashed (v1) or masked (v2).
"""

import json
from dataclasses import dataclass
from typing import Any

from .errors import describe_result_code


class MalformedCallback(ValueError):
    """The body is not a callback we can read; the message says what is wrong."""


@dataclass(frozen=True)
class StkCallback:
    merchant_request_id: str
    checkout_request_id: str
    result_code: str
    result_desc: str
    amount: float | None = None
    receipt_number: str = ""
    transaction_date: str = ""
    phone: str = ""

    @property
    def succeeded(self) -> bool:
        return self.result_code == "0"

    @property
    def explanation(self) -> str:
        return describe_result_code(self.result_code)


@dataclass(frozen=True)
class C2BPayment:
    transaction_type: str
    trans_id: str
    trans_time: str
    amount_text: str
    shortcode: str
    bill_ref: str
    msisdn: str
    first_name: str

    def whole_amount(self) -> int | None:
        """The amount in whole shillings, or None when it is not one (cents, text, negative)."""
        try:
            value = float(self.amount_text)
        except ValueError:
            return None
        return int(value) if value == int(value) and value > 0 else None


def load_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedCallback("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise MalformedCallback("The body is not a JSON object.")
    return body


def _required_text(container: dict[str, Any], key: str) -> str:
    value = container.get(key)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        raise MalformedCallback(f"{key} is missing or not text.")
    return str(value).strip()


def _result_code(value: Any) -> str:
    if isinstance(value, bool):
        raise MalformedCallback("ResultCode is not a number.")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    raise MalformedCallback("ResultCode is missing or not a number.")


def _metadata(callback: dict[str, Any]) -> dict[str, Any]:
    metadata = callback.get("CallbackMetadata")
    if metadata is None:
        return {}
    items = metadata.get("Item") if isinstance(metadata, dict) else None
    if not isinstance(items, list):
        raise MalformedCallback("CallbackMetadata has no Item list.")
    values: dict[str, Any] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Name"), str):
            values[item["Name"]] = item.get("Value")  # Balance often comes without a Value
    return values


def parse_stk_callback(raw: bytes) -> StkCallback:
    body = load_object(raw)
    envelope = body.get("Body")
    callback = envelope.get("stkCallback") if isinstance(envelope, dict) else None
    if not isinstance(callback, dict):
        raise MalformedCallback("Body.stkCallback is missing.")
    result_code = _result_code(callback.get("ResultCode"))
    values = _metadata(callback)
    amount: float | None = None
    if result_code == "0":
        raw_amount = values.get("Amount")
        if isinstance(raw_amount, bool) or not isinstance(raw_amount, (int, float, str)):
            raise MalformedCallback("A successful callback needs an Amount.")
        try:
            amount = float(raw_amount)
        except ValueError:
            raise MalformedCallback("Amount is not a number.") from None
        if not values.get("MpesaReceiptNumber"):
            raise MalformedCallback("A successful callback needs an MpesaReceiptNumber.")
    return StkCallback(
        merchant_request_id=str(callback.get("MerchantRequestID", "")),
        checkout_request_id=_required_text(callback, "CheckoutRequestID"),
        result_code=result_code,
        result_desc=str(callback.get("ResultDesc", ""))[:300],
        amount=amount,
        receipt_number=str(values.get("MpesaReceiptNumber") or "")[:30],
        transaction_date=str(values.get("TransactionDate") or "")[:20],
        phone=str(values.get("PhoneNumber") or "")[:20],
    )


def parse_c2b(raw: bytes) -> C2BPayment:
    body = load_object(raw)
    return C2BPayment(
        transaction_type=str(body.get("TransactionType", ""))[:40],
        trans_id=_required_text(body, "TransID")[:30],
        trans_time=str(body.get("TransTime", ""))[:20],
        amount_text=_required_text(body, "TransAmount")[:20],
        shortcode=_required_text(body, "BusinessShortCode")[:10],
        bill_ref=str(body.get("BillRefNumber", ""))[:40],
        msisdn=str(body.get("MSISDN", ""))[:80],
        first_name=str(body.get("FirstName", ""))[:60],
    )


def stk_external_id(raw: bytes) -> str:
    """CheckoutRequestID if it can be read at all (for rows stored before they are understood)."""
    try:
        return parse_stk_callback(raw).checkout_request_id
    except MalformedCallback:
        return ""
