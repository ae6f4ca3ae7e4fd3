"""Daraja's endpoints as Safaricom answers them, and the virtual phone a person pays on."""

import base64
import re
import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from clinicpro.requests import HtmxRequest
from payments.daraja.phones import normalise_msisdn

from ..emulation import basic_credentials, bearer_token, empty_response, json_response, read_json_object
from . import delivery, faults, world
from .models import C2BRegistration, C2BTransaction, DarajaApp, DarajaToken, StkPrompt

TOKEN_SECONDS = 3599
PHONE = re.compile(r"^254[17]\d{8}$")
SHORTCODE = re.compile(r"^\d{5,7}$")
TIMESTAMP = re.compile(r"^\d{14}$")
BANNED = ("m-pesa", "mpesa", "safaricom", "exe", "exec", "cmd", "sql", "query")


def daraja_error(code: str, message: str, status: int) -> HttpResponse:
    return json_response({"requestId": uuid.uuid4().hex[:20], "errorCode": code, "errorMessage": message}, status)


def bad_field(name: str) -> HttpResponse:
    return daraja_error("400.002.02", f"Bad Request - Invalid {name}", 400)


def _faulted(endpoint: str) -> HttpResponse | None:
    fault = faults.take(endpoint, faults.API_MODES)
    if fault is None:
        return None
    if fault.mode == "500":
        return daraja_error("500.002.1001", "Internal Server Error", 500)
    if fault.mode == "spike":
        return daraja_error("500.003.02", "Spike arrest violation", 500)
    if fault.mode == "invalid_token":
        return daraja_error("404.001.03", "Invalid Access Token", 404)
    time.sleep(fault.delay_seconds)
    return None


def _app_of(request: HttpRequest) -> DarajaApp | None:
    token = bearer_token(request)
    row = (
        DarajaToken.objects.select_related("app")
        .filter(token=token, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return row.app if row else None


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    return read_json_object(request)


def _api_call(request: HttpRequest, endpoint: str, first_field: str) -> tuple[DarajaApp, dict[str, Any]] | HttpResponse:
    """What every Daraja API endpoint checks first: a scripted fault, the bearer token, a JSON body.

    Daraja names the first field of the request as invalid when the body is not JSON at all.
    """
    if (faulted := _faulted(endpoint)) is not None:
        return faulted
    app = _app_of(request)
    if app is None:
        return daraja_error("404.001.03", "Invalid Access Token", 404)
    body = _json_body(request)
    if body is None:
        return bad_field(first_field)
    return app, body


# --- OAuth -----------------------------------------------------------------------------------


@csrf_exempt
@require_GET
def oauth(request: HttpRequest) -> HttpResponse:
    if (faulted := _faulted("oauth")) is not None:
        return faulted
    if request.GET.get("grant_type") != "client_credentials":
        return daraja_error("400.008.02", "Invalid grant type passed", 400)
    credentials = basic_credentials(request)
    if credentials is None:
        return empty_response(400)  # Daraja's answer to wrong credentials: 400, no body
    if credentials[0] == world.DEMO_CONSUMER_KEY:
        world.demo_app()
    app = DarajaApp.objects.filter(consumer_key=credentials[0]).first()
    if app is None or not secrets.compare_digest(app.consumer_secret, credentials[1]):
        return empty_response(400)  # Daraja's answer to wrong credentials: 400, no body
    # A new token makes the app's earlier ones invalid, as Daraja may do.
    DarajaToken.objects.filter(app=app, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = DarajaToken.objects.create(
        app=app, token=secrets.token_urlsafe(21), expires_at=timezone.now() + timedelta(seconds=TOKEN_SECONDS)
    )
    return json_response({"access_token": token.token, "expires_in": str(TOKEN_SECONDS)})


# --- STK Push and Query ------------------------------------------------------------------------


def _check_password(app: DarajaApp, body: dict[str, Any]) -> HttpResponse | None:
    shortcode = str(body.get("BusinessShortCode", ""))
    if not SHORTCODE.fullmatch(shortcode):
        return bad_field("BusinessShortCode")
    timestamp = str(body.get("Timestamp", ""))
    if not TIMESTAMP.fullmatch(timestamp):
        return bad_field("Timestamp")
    expected = base64.b64encode(f"{app.shortcode}{app.passkey}{timestamp}".encode()).decode()
    if shortcode != app.shortcode:
        return daraja_error("500.001.1001", "Merchant does not exist", 500)
    if not secrets.compare_digest(str(body.get("Password", "")), expected):
        return daraja_error("500.001.1001", "Wrong credentials", 500)
    return None


def _whole_amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 250_000 else None
    if isinstance(value, str) and value.isdigit():
        return _whole_amount(int(value))
    if isinstance(value, float) and value.is_integer():
        return _whole_amount(int(value))
    return None


@csrf_exempt
@require_POST
def stk_push(request: HttpRequest) -> HttpResponse:
    checked = _api_call(request, "stkpush", "BusinessShortCode")
    if isinstance(checked, HttpResponse):
        return checked
    app, body = checked
    if (refused := _check_password(app, body)) is not None:
        return refused
    kind = body.get("TransactionType")
    if kind not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
        return bad_field("TransactionType")
    amount = _whole_amount(body.get("Amount"))
    if amount is None:
        return bad_field("Amount")
    phone, party_a = str(body.get("PhoneNumber", "")), str(body.get("PartyA", ""))
    if not PHONE.fullmatch(phone):
        return bad_field("PhoneNumber")
    if not PHONE.fullmatch(party_a):
        return bad_field("PartyA")
    if not SHORTCODE.fullmatch(str(body.get("PartyB", ""))):
        return bad_field("PartyB")
    callback_url = str(body.get("CallBackURL", ""))
    if not callback_url.startswith(("http://", "https://")) or any(w in callback_url.lower() for w in BANNED):
        return bad_field("CallBackURL")
    reference = body.get("AccountReference")
    if not isinstance(reference, str) or not 1 <= len(reference) <= 12:
        return bad_field("AccountReference")
    description = body.get("TransactionDesc", "")
    if not isinstance(description, str) or len(description) > 13:
        return bad_field("TransactionDesc")
    if StkPrompt.objects.filter(phone=phone, status=StkPrompt.Status.PROMPTING).exists():
        return daraja_error(
            "500.001.1001",
            "Unable to lock subscriber, a transaction is already in process for the current subscriber",
            500,
        )
    prompt = StkPrompt.objects.create(
        app=app,
        merchant_request_id=f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(10**8)}-1",
        checkout_request_id=f"ws_CO_{timezone.now():%d%m%Y%H%M%S}{secrets.randbelow(10**9):09d}",
        phone=phone,
        amount=amount,
        account_reference=reference,
        description=description,
        callback_url=callback_url,
        transaction_type=kind,
        party_b=str(body["PartyB"]),
        expires_at=timezone.now() + timedelta(seconds=settings.SANDBOX_DARAJA_PROMPT_SECONDS),
    )
    delivery.start_prompt(prompt)
    return json_response(
        {
            "MerchantRequestID": prompt.merchant_request_id,
            "CheckoutRequestID": prompt.checkout_request_id,
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing",
        }
    )


@csrf_exempt
@require_POST
def stk_query(request: HttpRequest) -> HttpResponse:
    checked = _api_call(request, "stkquery", "BusinessShortCode")
    if isinstance(checked, HttpResponse):
        return checked
    app, body = checked
    if (refused := _check_password(app, body)) is not None:
        return refused
    prompt = StkPrompt.objects.filter(app=app, checkout_request_id=str(body.get("CheckoutRequestID", ""))).first()
    if prompt is None:
        return bad_field("CheckoutRequestID")
    if prompt.status == StkPrompt.Status.PROMPTING:
        return daraja_error("500.001.1001", "The transaction is being processed", 500)
    return json_response(
        {
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": prompt.merchant_request_id,
            "CheckoutRequestID": prompt.checkout_request_id,
            "ResultCode": prompt.result_code,  # a string here, unlike the callback
            "ResultDesc": prompt.result_desc,
        }
    )


# --- C2B ---------------------------------------------------------------------------------------


def _register(request: HttpRequest, version: str) -> HttpResponse:
    checked = _api_call(request, "c2b.register", "ShortCode")
    if isinstance(checked, HttpResponse):
        return checked
    app, body = checked
    shortcode = str(body.get("ShortCode", ""))
    if shortcode != app.shortcode:
        return bad_field("ShortCode")
    if body.get("ResponseType") not in ("Completed", "Cancelled"):
        return bad_field("ResponseType")
    urls = {name: str(body.get(name, "")) for name in ("ConfirmationURL", "ValidationURL")}
    for name, url in urls.items():
        if not url.startswith(("http://", "https://")) or any(word in url.lower() for word in BANNED):
            return bad_field(name)
    if C2BRegistration.objects.filter(shortcode=shortcode).exists():
        return daraja_error("500.003.1001", "Urls are already registered", 500)
    C2BRegistration.objects.create(
        shortcode=shortcode,
        version=version,
        response_type=body["ResponseType"],
        confirmation_url=urls["ConfirmationURL"],
        validation_url=urls["ValidationURL"],
    )
    return json_response(
        {"OriginatorCoversationID": uuid.uuid4().hex[:20], "ResponseCode": "0", "ResponseDescription": "success"}
    )


@csrf_exempt
@require_POST
def c2b_register_v1(request: HttpRequest) -> HttpResponse:
    return _register(request, "v1")


@csrf_exempt
@require_POST
def c2b_register_v2(request: HttpRequest) -> HttpResponse:
    return _register(request, "v2")


@csrf_exempt
@require_POST
def c2b_simulate(request: HttpRequest) -> HttpResponse:
    checked = _api_call(request, "c2b.simulate", "ShortCode")
    if isinstance(checked, HttpResponse):
        return checked
    app, body = checked
    shortcode = str(body.get("ShortCode", ""))
    if shortcode != app.shortcode or not C2BRegistration.objects.filter(shortcode=shortcode).exists():
        return bad_field("ShortCode")
    amount = _whole_amount(body.get("Amount"))
    phone = str(body.get("Msisdn", ""))
    if amount is None:
        return bad_field("Amount")
    if not PHONE.fullmatch(phone):
        return bad_field("Msisdn")
    row = C2BTransaction.objects.create(
        trans_id=world.receipt_number(),
        shortcode=shortcode,
        phone=phone,
        amount=str(amount),
        bill_ref=str(body.get("BillRefNumber", ""))[:40],
    )
    delivery.in_background(delivery.deliver_c2b, row.trans_id)
    return json_response(
        {
            "OriginatorCoversationID": uuid.uuid4().hex[:20],
            "ResponseCode": "0",
            "ResponseDescription": "Accept the service request successfully.",
        }
    )


# --- The virtual phone ---------------------------------------------------------------------------


def _number(request: HttpRequest) -> str:
    try:
        return normalise_msisdn(request.GET.get("number", "") or request.POST.get("number", ""))
    except ValueError:
        return ""


def phone(request: HtmxRequest) -> HttpResponse:
    number = _number(request)
    prompts = (
        list(StkPrompt.objects.filter(phone=number, status=StkPrompt.Status.PROMPTING).select_related("app"))
        if number
        else []
    )
    recent = list(StkPrompt.objects.filter(phone=number, status=StkPrompt.Status.DONE)[:5]) if number else []
    context = {
        "number": number,
        "typed": request.GET.get("number", ""),
        "prompts": prompts,
        "recent": recent,
        "pin_hint": world.CORRECT_PIN,
    }
    template = "sandbox/daraja/_phone_screen.html" if request.htmx else "sandbox/daraja/phone.html"
    return render(request, template, context)


@require_POST
def phone_answer(request: HttpRequest, checkout_request_id: str) -> HttpResponse:
    prompt = StkPrompt.objects.filter(checkout_request_id=checkout_request_id).first()
    if prompt is not None:
        action = request.POST.get("action")
        if action == "pin":
            code = "0" if request.POST.get("pin", "") == world.CORRECT_PIN else "2001"
        elif action == "cancel":
            code = "1032"
        else:
            code = "1037"
        delivery.answer_prompt(checkout_request_id, code)
    number = prompt.phone if prompt else ""
    return redirect(f"{reverse('sandbox_daraja_phone')}?number={number}")
