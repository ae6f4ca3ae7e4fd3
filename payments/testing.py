"""Helpers for tests and the simulate commands: Daraja-shaped callback bodies posted over HTTP."""

import json
import secrets
import string
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from .models import AttemptStatus, Invoice, StkAttempt

NAIROBI = ZoneInfo("Africa/Nairobi")


def receipt() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))


def stk_body(
    checkout_request_id: str,
    *,
    result_code: int = 0,
    amount: float = 1.0,
    phone: str = "254708374149",
    receipt_number: str | None = None,
    merchant_request_id: str = "29115-34620561-1",
) -> dict[str, Any]:
    callback: dict[str, Any] = {
        "MerchantRequestID": merchant_request_id,
        "CheckoutRequestID": checkout_request_id,
        "ResultCode": result_code,
        "ResultDesc": "The service request is processed successfully." if result_code == 0 else "Request failed.",
    }
    if result_code == 0:
        callback["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": float(amount)},
                {"Name": "MpesaReceiptNumber", "Value": receipt_number or receipt()},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(datetime.now(NAIROBI).strftime("%Y%m%d%H%M%S"))},
                {"Name": "PhoneNumber", "Value": int(phone)},
            ]
        }
    return {"Body": {"stkCallback": callback}}


def c2b_body(
    *, bill_ref: str, amount: str, shortcode: str, msisdn: str = "25470****149", trans_id: str | None = None
) -> dict[str, Any]:
    return {
        "TransactionType": "Pay Bill",
        "TransID": trans_id or receipt(),
        "TransTime": datetime.now(NAIROBI).strftime("%Y%m%d%H%M%S"),
        "TransAmount": amount,
        "BusinessShortCode": shortcode,
        "BillRefNumber": bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": msisdn,
        "FirstName": "John",
        "MiddleName": "",
        "LastName": "Doe",
    }


def post_json(
    url: str, body: Any, *, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(url, data=data, headers={"Content-Type": "application/json", **(headers or {})}, timeout=30)


def pending_attempt(invoice: Invoice, checkout_request_id: str, phone: str = "254712345678") -> StkAttempt:
    """A prompt Daraja accepted and the phone has not answered yet, as `stk_push_start` leaves it."""
    return StkAttempt.objects.create(
        clinic_id=invoice.clinic_id,
        invoice=invoice,
        phone=phone,
        amount=invoice.amount,
        status=AttemptStatus.PENDING,
        checkout_request_id=checkout_request_id,
    )
