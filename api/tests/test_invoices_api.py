"""Invoices and their M-Pesa payments through the API: what was asked, what arrived, phones masked."""

from payments.models import Invoice, StkAttempt
from payments.settlement import stk_success_record
from payments.testing import pending_attempt

PATIENT_MSISDN = "254712345678"


def paid_by_prompt(invoice: Invoice, receipt: str = "RKT1234567") -> StkAttempt:
    """An answered prompt recorded by the same settlement code a verified callback runs."""
    attempt = pending_attempt(invoice, f"ws_CO_{invoice.pk}", phone=PATIENT_MSISDN)
    stk_success_record(attempt_id=attempt.pk, amount=invoice.amount, receipt_number=receipt, phone=PATIENT_MSISDN)
    return attempt


def test_an_invoice_shows_its_prompt_and_receipt_with_the_phone_masked(api, invoice):
    attempt = paid_by_prompt(invoice)

    response = api.get(f"/api/v1/invoices/{invoice.pk}")

    assert response.status_code == 200, response.content
    document = response.json()
    assert (document["reference"], document["booking_id"]) == (invoice.reference, invoice.booking_id)
    assert (document["status"], document["amount"], document["amount_paid"], document["amount_due"]) == (
        "paid",
        1500,
        1500,
        0,
    )
    assert document["currency"] == "KES"
    assert document["paid_at"].endswith("+03:00") and document["created_at"].endswith("+03:00")
    [prompt] = document["attempts"]
    assert prompt["id"] == attempt.pk
    assert (prompt["status"], prompt["amount"], prompt["receipt_number"]) == ("succeeded", 1500, "RKT1234567")
    assert prompt["phone"] == "•••••••••678"
    [payment] = document["payments"]
    assert (payment["source"], payment["amount"], payment["receipt_number"]) == ("stk", 1500, "RKT1234567")
    assert payment["phone"] == "•••••••••678" and payment["received_at"].endswith("+03:00")
    assert "712345" not in response.content.decode()


def test_the_list_filters_by_status_and_booking_and_pages_by_cursor(api, book):
    invoices = [Invoice.objects.get(booking=book(hours=48 + 2 * n, email=f"p{n}@example.com")) for n in range(3)]
    paid_by_prompt(invoices[0])

    paid = api.get("/api/v1/invoices", status="paid").json()
    of_booking = api.get("/api/v1/invoices", booking_id=invoices[1].booking_id).json()
    first = api.get("/api/v1/invoices", limit=2).json()
    second = api.get("/api/v1/invoices", limit=2, cursor=first["next_cursor"]).json()

    assert [i["id"] for i in paid["items"]] == [invoices[0].pk]
    assert [i["id"] for i in of_booking["items"]] == [invoices[1].pk]
    newest_first = [invoice.pk for invoice in reversed(invoices)]
    assert [i["id"] for i in first["items"] + second["items"]] == newest_first
    assert second["next_cursor"] is None


def test_a_bookings_invoice_and_a_free_booking_without_one(api, invoice, practitioner, make_booking, slot_start):
    from clinicpro.testing.factories import ServiceFactory

    free = make_booking(slot_start, on=ServiceFactory(clinic=invoice.clinic, price=0, practitioners=[practitioner]))

    found = api.get(f"/api/v1/bookings/{invoice.booking_id}/invoice")
    missing = api.get(f"/api/v1/bookings/{free.pk}/invoice")

    assert found.status_code == 200 and found.json()["id"] == invoice.pk
    assert missing.status_code == 404 and missing.json()["code"] == "no_invoice"


def test_an_unknown_invoice_is_a_404_problem(api, invoice):
    response = api.get(f"/api/v1/invoices/{invoice.pk + 1000}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_invoices_are_read_with_a_read_only_key_too(read_key, invoice):
    from api.conftest import ApiClient

    response = ApiClient(read_key.plaintext).get("/api/v1/invoices")

    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == [invoice.pk]


def test_a_page_of_invoices_costs_the_same_queries_however_many_it_shows(api, book):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paid_by_prompt(Invoice.objects.get(booking=book(hours=48)))
    api.get("/api/v1/invoices")  # the key's last-used time is written on this first call

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/invoices").status_code == 200
        return len(captured)

    few = queries()
    for n in range(1, 5):
        paid_by_prompt(Invoice.objects.get(booking=book(hours=48 + 2 * n, email=f"q{n}@example.com")), f"RKT000000{n}")

    assert queries() == few
