"""Safaricom's side of a prompt: the phone answers, then M-Pesa posts the callback, from a thread of its own."""

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from clinicpro.http import http_session

from . import faults, world
from .models import C2BRegistration, C2BTransaction, StkPrompt

NAIROBI = ZoneInfo("Africa/Nairobi")
# Real callbacks come after the push's answer; a moment's pause keeps the emulator that polite.
CALLBACK_PAUSE_SECONDS = 0.2
# What M-Pesa waits for a validation answer before the registered ResponseType decides.
VALIDATION_TIMEOUT_SECONDS = 8.0


def in_background(work: Callable[..., None], *args: Any) -> None:
    def run() -> None:
        try:
            work(*args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    transaction.on_commit(thread.start)


# Waits for a phone's answer or a late callback end early, unanswered, when they are called off.
_called_off = threading.Condition()
_calls_off = 0


def _pause(seconds: float) -> bool:
    """Wait `seconds`; False if the waits were called off meanwhile (the answer is then never sent)."""
    connections.close_all()  # hold no database connection while waiting
    with _called_off:
        waiting_since = _calls_off
        return not _called_off.wait_for(lambda: _calls_off != waiting_since, timeout=max(seconds, 0))


def call_off_waiting_answers() -> None:
    """End every wait in progress without answering: a test's prompts must not answer into the next test."""
    global _calls_off
    with _called_off:
        _calls_off += 1
        _called_off.notify_all()


def answer_prompt(checkout_request_id: str, result_code: str) -> bool:
    """The phone's answer; only the first one counts. Returns whether this one did."""
    close_old_connections()
    answered = StkPrompt.objects.filter(
        checkout_request_id=checkout_request_id, status=StkPrompt.Status.PROMPTING
    ).update(
        status=StkPrompt.Status.DONE,
        result_code=result_code,
        result_desc=world.RESULT_DESCRIPTIONS.get(result_code, "The request failed."),
        receipt_number=world.receipt_number() if result_code == "0" else "",
        answered_at=timezone.now(),
    )
    if answered:
        in_background(deliver_stk_callback, checkout_request_id)
    return bool(answered)


def start_prompt(prompt: StkPrompt) -> None:
    """Test numbers and fault scripts answer at once; other numbers wait on the virtual phone until it times out."""
    scripted = faults.take("callback", ("result",))
    outcome = scripted.result_code if scripted else world.AUTO_RESULTS.get(prompt.phone)
    if outcome is not None:
        in_background(_answer_after, prompt.checkout_request_id, outcome, CALLBACK_PAUSE_SECONDS)
    else:
        wait = (prompt.expires_at - timezone.now()).total_seconds()
        in_background(_answer_after, prompt.checkout_request_id, "1037", wait)


def _answer_after(checkout_request_id: str, result_code: str, seconds: float) -> None:
    if _pause(seconds):
        answer_prompt(checkout_request_id, result_code)


def stk_callback_body(prompt: StkPrompt) -> dict[str, Any]:
    callback: dict[str, Any] = {
        "MerchantRequestID": prompt.merchant_request_id,
        "CheckoutRequestID": prompt.checkout_request_id,
        "ResultCode": int(prompt.result_code),
        "ResultDesc": prompt.result_desc,
    }
    if prompt.result_code == "0":
        paid_at = (prompt.answered_at or timezone.now()).astimezone(NAIROBI)
        callback["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": float(prompt.amount)},
                {"Name": "MpesaReceiptNumber", "Value": prompt.receipt_number},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(paid_at.strftime("%Y%m%d%H%M%S"))},
                {"Name": "PhoneNumber", "Value": int(prompt.phone)},
            ]
        }
    return {"Body": {"stkCallback": callback}}


def deliver_stk_callback(checkout_request_id: str) -> None:
    prompt = StkPrompt.objects.get(checkout_request_id=checkout_request_id)
    if faults.take("callback", ("drop",)):
        StkPrompt.objects.filter(pk=prompt.pk).update(deliveries=["dropped"])
        return
    delay = faults.take("callback", ("delay",))
    duplicate = faults.take("callback", ("duplicate",))
    body = stk_callback_body(prompt)
    if delay and not _pause(delay.delay_seconds):
        return
    copies = duplicate.copies if duplicate else 1
    results: list[str] = []
    if duplicate and duplicate.concurrent:
        barrier = threading.Barrier(copies)
        threads = [
            threading.Thread(target=_post_copy, args=(prompt.callback_url, body, results, barrier))
            for _ in range(copies)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(copies):
            _post_copy(prompt.callback_url, body, results, None)
    close_old_connections()
    StkPrompt.objects.filter(pk=prompt.pk).update(callbacks_sent=copies, deliveries=results)


def _post_copy(url: str, body: dict[str, Any], results: list[str], barrier: threading.Barrier | None) -> None:
    if barrier is not None:
        barrier.wait(timeout=10)
    started = time.monotonic()
    try:
        response = http_session(timeout=15).post(url, json=body)
        results.append(f"{response.status_code} {int((time.monotonic() - started) * 1000)}ms")
    except Exception as exc:  # the emulator reports delivery problems; it never crashes on them
        results.append(f"failed: {type(exc).__name__}")


def hashed_or_masked(msisdn: str, version: str) -> str:
    """v1 sends a SHA-256 hash of the number, v2 a masked number."""
    if version == "v1":
        return hashlib.sha256(msisdn.encode()).hexdigest()
    return f"{msisdn[:5]}****{msisdn[-3:]}"


def c2b_body(transaction_row: C2BTransaction, registration: C2BRegistration) -> dict[str, Any]:
    now = datetime.now(NAIROBI)
    return {
        "TransactionType": "Pay Bill",
        "TransID": transaction_row.trans_id,
        "TransTime": now.strftime("%Y%m%d%H%M%S"),
        "TransAmount": transaction_row.amount,
        "BusinessShortCode": transaction_row.shortcode,
        "BillRefNumber": transaction_row.bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": hashed_or_masked(transaction_row.phone, registration.version),
        "FirstName": "John",
        "MiddleName": "",
        "LastName": "Doe",
    }


def deliver_c2b(trans_id: str) -> None:
    """Validation first; confirmation when it accepts (or does not answer and the ResponseType says Completed)."""
    row = C2BTransaction.objects.get(trans_id=trans_id)
    registration = C2BRegistration.objects.get(shortcode=row.shortcode)
    body = c2b_body(row, registration)
    connections.close_all()
    accepted = registration.response_type == "Completed"
    try:
        response = http_session(timeout=VALIDATION_TIMEOUT_SECONDS).post(registration.validation_url, json=body)
        answer = response.json()
        accepted = str(answer.get("ResultCode")) == "0"
        verdict = f"{response.status_code} {answer.get('ResultCode')}"
    except Exception as exc:
        verdict = f"no answer ({type(exc).__name__}): {registration.response_type}"
    close_old_connections()
    C2BTransaction.objects.filter(pk=row.pk).update(validation_answer=verdict[:200])
    if not accepted:
        return
    connections.close_all()
    try:
        http_session(timeout=15).post(registration.confirmation_url, json=body)
    finally:
        close_old_connections()
    C2BTransaction.objects.filter(pk=row.pk).update(confirmed=True)
