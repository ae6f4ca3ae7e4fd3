"""The management commands print the callback URLs and post Daraja-shaped callbacks over HTTP."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings.models import Booking, BookingStatus
from payments.models import AttemptStatus, InvoiceStatus, MpesaSettings
from payments.stk import stk_push_start
from sandbox.daraja.models import C2BRegistration

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_callback_urls_carry_the_public_id_and_secret_and_no_banned_word(mpesa, clinic):
    lines = run("payments_callback_urls", "--clinic", clinic.slug).splitlines()

    assert [line.split(":", 1)[0] for line in lines] == ["stk", "c2b_validation", "c2b_confirmation"]
    for line in lines:
        assert mpesa.public_id in line and mpesa.callback_secret in line
        assert "mpesa" not in line.lower() and "safaricom" not in line.lower()
    with pytest.raises(CommandError, match="No clinic"):
        run("payments_callback_urls", "--clinic", "nowhere")


def test_register_c2b_urls_registers_them_with_daraja(mpesa, clinic):
    assert "Registered" in run("register_c2b_urls", "--clinic", clinic.slug)

    assert C2BRegistration.objects.get().validation_url.endswith("/c2b-validation/")
    with pytest.raises(CommandError, match="already registered"):
        run("register_c2b_urls", "--clinic", clinic.slug)


def test_simulate_c2b_callback_pays_the_invoice(mpesa, invoice, clinic):
    output = run("simulate_c2b_callback", invoice.reference, clinic.slug, "1500", "0712345678")

    assert "Validation: HTTP 200" in output and "Confirmation: HTTP 200" in output
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED


def test_simulate_stk_callback_answers_the_open_prompt(mpesa, invoice, clinic):
    attempt = stk_push_start(invoice=invoice, phone="0711 222 333")  # waits on the virtual phone

    output = run("simulate_stk_callback", invoice.reference, clinic.slug, "1500", "0711222333", "--result-code", "1032")

    assert "HTTP 200" in output and attempt.checkout_request_id in output
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FAILED and attempt.reason == "The payment was cancelled on the phone."


def test_seed_demo_gives_the_demo_clinic_sandbox_mpesa(db, settings):
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"
    run("seed_demo")
    mpesa = MpesaSettings.objects.get(clinic__slug="demo")

    assert mpesa.is_usable and mpesa.base_url == "http://127.0.0.1:8000/sandbox/daraja"
