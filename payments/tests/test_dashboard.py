"""The clinic's payments pages: queues with actions, masked phones, CSV, owner settings with Test connection."""

import pytest
from django.urls import reverse

from payments.models import Invoice, InvoiceStatus, MpesaSettings, Payment, PaymentSource, StkAttempt

from ..conftest import mpesa_for


@pytest.fixture
def refund_due(invoice):
    Payment.objects.create(
        clinic_id=invoice.clinic_id,
        invoice=invoice,
        source=PaymentSource.STK,
        receipt_number="RKTQDM7W6S",
        amount=1500,
        phone="254712345678",
    )
    StkAttempt.objects.create(
        clinic_id=invoice.clinic_id, invoice=invoice, phone="254712345678", amount=1500, status="succeeded"
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.REFUND_DUE, amount_paid=1500, status_reason="The booking was cancelled after it was paid."
    )
    return invoice


@pytest.mark.django_db
def test_the_dashboard_lists_the_refund_queue_with_phones_masked(client, owner, clinic, refund_due):
    client.force_login(owner)

    page = client.get(reverse("payments_dashboard", args=[clinic.slug])).content.decode()

    assert refund_due.reference in page and "The booking was cancelled after it was paid." in page
    assert "•••••••••678" in page and "254712345678" not in page and "0712345678" not in page


@pytest.mark.django_db
def test_recording_a_refund_keeps_the_note(client, owner, clinic, refund_due):
    client.force_login(owner)

    client.post(
        reverse("payments_invoice_action", args=[clinic.slug, refund_due.pk, "refunded"]),
        {"note": "Sent back by M-Pesa B2C from the office phone"},
    )

    refund_due.refresh_from_db()
    assert refund_due.refunded_at is not None and "office phone" in refund_due.resolution_note


@pytest.mark.django_db
def test_the_csv_export_has_one_row_per_receipt_with_masked_phones(client, owner, clinic, refund_due):
    client.force_login(owner)

    rows = client.get(reverse("payments_csv", args=[clinic.slug])).content.decode().splitlines()

    assert rows[0].startswith("invoice,status,amount,paid,receipt")
    assert rows[1].startswith(f"{refund_due.reference},refund_due,1500,1500,RKTQDM7W6S,stk,•••••••••678")


@pytest.mark.django_db
def test_another_clinic_sees_nothing_and_cannot_act(client, stranger, clinic, refund_due):
    client.force_login(stranger)

    assert client.get(reverse("payments_dashboard", args=[clinic.slug])).status_code == 404
    assert client.get(reverse("payments_csv", args=[clinic.slug])).status_code == 404
    response = client.post(
        reverse("payments_invoice_action", args=[clinic.slug, refund_due.pk, "refunded"]), {"note": "mine now"}
    )
    assert response.status_code == 404
    refund_due.refresh_from_db()
    assert refund_due.refunded_at is None


@pytest.mark.django_db
def test_only_owners_reach_the_settings_page(client, practitioner, clinic):
    client.force_login(practitioner.user)

    assert client.get(reverse("payments_settings", args=[clinic.slug])).status_code == 403


@pytest.mark.django_db
def test_owners_save_settings_and_secrets_stay_masked(client, owner, clinic):
    client.force_login(owner)
    url = reverse("payments_settings", args=[clinic.slug])

    client.post(
        url,
        {
            "action": "save",
            "is_enabled": "on",
            "environment": "production",
            "account_type": "paybill",
            "shortcode": "600426",
            "consumer_key": "ck-live-abcdefghijklmnop",
            "consumer_secret": "cs-live-abcdefghijklmnop",
            "passkey": "pk-live-abcdefghijklmnop",
        },
    )
    page = client.get(url).content.decode()

    mpesa = MpesaSettings.objects.get(clinic=clinic)
    assert mpesa.passkey == "pk-live-abcdefghijklmnop" and mpesa.effective_base_url == "https://api.safaricom.co.ke"
    assert "pk-live-abcdefghijklmnop" not in page and "••••••••mnop" in page
    assert mpesa.public_id in page  # the callback URLs are shown to the owner


@pytest.mark.django_db(transaction=True)
def test_test_connection_says_plainly_what_is_wrong(client, owner, clinic, daraja_url):
    mpesa_for(clinic, daraja_url, consumer_secret="not-the-secret")
    client.force_login(owner)
    url = reverse("payments_settings", args=[clinic.slug])

    page = client.post(url, {"action": "test"}, follow=True).content.decode()

    assert "Connection failed: M-Pesa refused the consumer key or secret." in page
    MpesaSettings.objects.filter(clinic=clinic).update(consumer_secret="sandbox-daraja-secret")
    page = client.post(url, {"action": "test"}, follow=True).content.decode()
    assert "Connected: M-Pesa accepted the consumer key and secret." in page


@pytest.mark.django_db
def test_secrets_are_encrypted_at_rest(clinic):
    from django.db import connection

    mpesa = mpesa_for(clinic, "https://sandbox.safaricom.co.ke")
    with connection.cursor() as cursor:
        cursor.execute("SELECT passkey, callback_secret FROM payments_mpesasettings WHERE id = %s", [mpesa.pk])
        passkey, secret = cursor.fetchone()
    assert mpesa.passkey not in passkey and mpesa.callback_secret not in secret


def test_admin_shows_callback_bodies_with_phone_numbers_masked():
    from payments.admin import masked_body

    shown = masked_body('{"Name":"PhoneNumber","Value":254708374149},{"Name":"TransactionDate","Value":20191219102115}')

    assert "254708374149" not in shown and "•••••••••149" in shown and "20191219102115" in shown


@pytest.mark.django_db
def test_the_clinic_dashboard_tells_members_a_refund_is_due(client, practitioner, clinic, refund_due):
    client.force_login(practitioner.user)

    page = client.get(reverse("clinic_dashboard", args=[clinic.slug])).content.decode()

    assert "Payments need attention: 1 refund due, 0 to review." in page
