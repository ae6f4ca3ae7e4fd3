"""Starting an M-Pesa prompt through the API: our Daraja client against the emulator, over real HTTP."""

import uuid

import pytest
import requests

from api.conftest import ApiClient
from api.models import IdempotencyRecord
from clinicpro.testing.race import race
from meetings.testing.scenes import wait_for
from payments.conftest import SUCCESS_PHONE
from payments.models import InvoiceStatus, StkAttempt
from sandbox.daraja import faults
from sandbox.daraja.models import StkPrompt

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_PHONE = "0711 222 333"  # the virtual phone shows the prompt and waits for a PIN


def push_path(invoice) -> str:
    return f"/api/v1/invoices/{invoice.pk}/stk-push"


def test_a_prompt_started_over_http_is_paid_and_a_retry_gets_the_same_answer(live_server, mpesa, book, write_key):
    from payments.models import Invoice

    invoice = Invoice.objects.get(booking=book(phone=SUCCESS_PHONE))
    url = f"{live_server.url}{push_path(invoice)}"
    headers = {"Authorization": f"Bearer {write_key.plaintext}", "Idempotency-Key": str(uuid.uuid4())}

    response = requests.post(url, json={}, headers=headers, timeout=30)
    retried = requests.post(url, json={}, headers=headers, timeout=30)

    assert response.status_code == 202, response.text
    attempt = response.json()
    assert (attempt["invoice_id"], attempt["amount"], attempt["status"]) == (invoice.pk, 1500, "pending")
    assert attempt["phone"] == "•••••••••000" and attempt["created_at"].endswith("+03:00")
    assert (retried.status_code, retried.json(), retried.headers["Idempotent-Replayed"]) == (202, attempt, "true")
    assert StkPrompt.objects.get().phone == "254700000000"
    wait_for(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID, timeout=15)
    paid = requests.get(url.removesuffix("/stk-push"), headers=headers, timeout=30).json()
    assert paid["attempts"][0]["receipt_number"] == paid["payments"][0]["receipt_number"]
    assert len(paid["payments"][0]["receipt_number"]) == 10

    again = requests.post(url, json={}, headers={**headers, "Idempotency-Key": "after-paid"}, timeout=30)

    assert again.status_code == 409 and again.json()["code"] == "invoice_paid", again.text
    assert StkPrompt.objects.count() == 1


def test_a_given_phone_is_prompted_instead_of_the_bookings(mpesa, invoice, api):
    response = api.post(push_path(invoice), {"phone": "+254 711 222 333"})

    assert response.status_code == 202, response.content
    assert response.json()["phone"] == "•••••••••333"
    assert StkPrompt.objects.get().phone == "254711222333"


def test_a_second_prompt_while_one_waits_is_409(mpesa, invoice, api):
    first = api.post(push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key="first")

    second = api.post(push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key="second")

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["code"] == "prompt_pending"
    assert StkPrompt.objects.count() == StkAttempt.objects.count() == 1


def test_a_number_mpesa_cannot_use_is_422_in_words(mpesa, invoice, api):
    response = api.post(push_path(invoice), {"phone": "+255 712 345 678"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_phone"
    assert "M-Pesa needs a Kenyan mobile number" in response.json()["detail"]
    assert not StkPrompt.objects.exists()


def test_a_clinic_without_mpesa_is_told_so(invoice, api):
    response = api.post(push_path(invoice), {})

    assert response.status_code == 409
    assert response.json()["code"] == "mpesa_not_configured"
    assert not StkAttempt.objects.exists()


def test_a_read_only_key_cannot_start_a_prompt(mpesa, invoice, read_key):
    response = ApiClient(read_key.plaintext).post(push_path(invoice), {})

    assert response.status_code == 403 and response.json()["code"] == "read_only_key"
    assert not StkAttempt.objects.exists()


def test_daraja_refusing_the_prompt_is_502_in_its_words_and_a_retry_tries_again(mpesa, invoice, api):
    faults.inject("stkpush", "spike")

    refused = api.post(push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key="spiky")
    retried = api.post(push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key="spiky")

    assert refused.status_code == 502
    assert refused.json()["code"] == "mpesa_error"
    assert (
        refused.json()["detail"] == "M-Pesa is receiving too many requests (spike arrest). Try again in a few seconds."
    )
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    assert list(StkAttempt.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "pending"]


def test_concurrent_retries_of_one_request_send_one_prompt(mpesa, invoice, write_key):
    def post():
        return ApiClient(write_key.plaintext).post(
            push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key="storm"
        )

    answers = race(5, post)
    settled = post()

    attempt = StkAttempt.objects.get()
    assert StkPrompt.objects.count() == 1
    assert settled.status_code == 202 and settled.json()["id"] == attempt.pk
    for answer in answers:
        # Each retry got the first answer, or was told the first is still running.
        assert (answer.status_code, answer.json().get("id") or answer.json().get("code")) in {
            (202, attempt.pk),
            (409, "idempotency_key_in_progress"),
        }
    assert IdempotencyRecord.objects.get().response_status == 202


def test_concurrent_requests_with_different_keys_send_one_prompt(mpesa, invoice, write_key):
    def post():
        return ApiClient(write_key.plaintext).post(
            push_path(invoice), {"phone": WAITING_PHONE}, idempotency_key=str(uuid.uuid4())
        )

    answers = race(5, post)

    assert sorted(a.status_code for a in answers) == [202, 409, 409, 409, 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"prompt_pending"}
    assert StkPrompt.objects.count() == StkAttempt.objects.count() == 1
