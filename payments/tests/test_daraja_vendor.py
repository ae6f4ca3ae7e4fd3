"""Daraja as one vendor of the registry: listed once, its errors read as sentences, its client free of Django."""

import subprocess
import sys

import pytest

from integrations.vendors import registry
from integrations.vendors.http import VendorError, VendorResponse
from payments.daraja.vendor import DARAJA, raise_for_response


def answer(status: int, body: object) -> VendorResponse:
    return VendorResponse(status=status, body=body, headers={})


def test_daraja_is_registered_and_its_emulator_mounted(client, db):
    assert registry.vendor("daraja") is DARAJA
    # Mounted from the descriptor, like every other emulator: the OAuth endpoint answers there.
    assert client.get("/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials").status_code == 400


def test_a_refused_field_is_permanent_and_reads_as_a_sentence():
    with pytest.raises(VendorError) as refused:
        raise_for_response(
            answer(400, {"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid PhoneNumber"})
        )
    assert refused.value.permanent
    assert "M-Pesa" in str(refused.value)


def test_spike_arrest_is_worth_retrying():
    with pytest.raises(VendorError) as throttled:
        raise_for_response(answer(500, {"errorCode": "500.003.02", "errorMessage": "Spike arrest violation"}))
    assert not throttled.value.permanent


def test_an_empty_400_from_oauth_means_wrong_credentials():
    with pytest.raises(VendorError) as refused:
        raise_for_response(answer(400, None))
    assert "consumer key or secret" in str(refused.value)


def test_a_success_passes():
    raise_for_response(answer(200, {"ResponseCode": "0"}))


def test_the_client_package_and_its_descriptor_import_without_django():
    probe = (
        "import sys, payments.daraja, payments.daraja.vendor; print(any(m.startswith('django') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
