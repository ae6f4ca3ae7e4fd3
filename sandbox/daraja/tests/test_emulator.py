"""The Daraja emulator answers raw HTTP as Daraja does, quirks included."""

import base64
import hashlib

import pytest
import requests

from meetings.testing.scenes import wait_for
from sandbox.daraja import world
from sandbox.daraja.delivery import hashed_or_masked
from sandbox.daraja.models import C2BTransaction, DarajaToken

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def daraja(live_server):
    return f"{live_server.url}/sandbox/daraja"


def token(daraja: str, secret: str = world.DEMO_CONSUMER_SECRET) -> requests.Response:
    basic = base64.b64encode(f"{world.DEMO_CONSUMER_KEY}:{secret}".encode()).decode()
    return requests.get(
        f"{daraja}/oauth/v1/generate?grant_type=client_credentials", headers={"Authorization": f"Basic {basic}"}
    )


def push_body(**changes) -> dict:
    timestamp = "20260101120000"
    password = base64.b64encode(f"{world.DEMO_SHORTCODE}{world.DEMO_PASSKEY}{timestamp}".encode()).decode()
    return {
        "BusinessShortCode": world.DEMO_SHORTCODE,
        "Password": password,
        "Timestamp": timestamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 10,
        "PartyA": "254711000222",
        "PartyB": world.DEMO_SHORTCODE,
        "PhoneNumber": "254711000222",
        "CallBackURL": "https://clinic.example/hooks/a/b/stk-result/",
        "AccountReference": "ABCD2345",
        "TransactionDesc": "Booking",
        **changes,
    }


def test_oauth_gives_expires_in_as_text_and_revokes_the_previous_token(daraja):
    first = token(daraja).json()
    second = token(daraja).json()

    assert first["expires_in"] == "3599"
    assert DarajaToken.objects.get(token=first["access_token"]).revoked_at is not None
    assert DarajaToken.objects.get(token=second["access_token"]).revoked_at is None


def test_oauth_with_a_wrong_secret_answers_an_empty_400(daraja):
    response = token(daraja, secret="nope")

    assert response.status_code == 400 and response.content == b""


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"PhoneNumber": "0711000222"}, "Bad Request - Invalid PhoneNumber"),
        ({"Amount": 10.5}, "Bad Request - Invalid Amount"),
        ({"Amount": 250_001}, "Bad Request - Invalid Amount"),
        ({"AccountReference": "A" * 13}, "Bad Request - Invalid AccountReference"),
        ({"CallBackURL": "https://clinic.example/mpesa/cb"}, "Bad Request - Invalid CallBackURL"),
        ({"Password": "d3Jvbmc="}, "Wrong credentials"),
    ],
)
def test_stk_push_refuses_bad_fields_with_daraja_error_bodies(daraja, changes, message):
    access = token(daraja).json()["access_token"]

    response = requests.post(
        f"{daraja}/mpesa/stkpush/v1/processrequest",
        json=push_body(**changes),
        headers={"Authorization": f"Bearer {access}"},
    )

    assert response.json()["errorMessage"] == message
    assert response.json()["errorCode"] in ("400.002.02", "500.001.1001")


def test_a_body_that_is_not_json_reads_as_an_invalid_shortcode(daraja):
    access = token(daraja).json()["access_token"]

    response = requests.post(
        f"{daraja}/mpesa/stkpush/v1/processrequest",
        data="BusinessShortCode=174379",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 400 and response.json()["errorMessage"] == "Bad Request - Invalid BusinessShortCode"


def test_an_unknown_token_answers_404_001_03(daraja):
    response = requests.post(
        f"{daraja}/mpesa/stkpush/v1/processrequest", json=push_body(), headers={"Authorization": "Bearer x"}
    )

    assert response.status_code == 404 and response.json()["errorCode"] == "404.001.03"


def test_c2b_register_refuses_banned_words_and_v1_simulate_sends_a_hashed_msisdn(daraja, live_server):
    access = {"Authorization": f"Bearer {token(daraja).json()['access_token']}"}
    base = {"ShortCode": world.DEMO_SHORTCODE, "ResponseType": "Completed"}
    refused = requests.post(
        f"{daraja}/mpesa/c2b/v1/registerurl",
        json={**base, "ConfirmationURL": "https://x.example/cmd/c", "ValidationURL": "https://x.example/v"},
        headers=access,
    )
    assert refused.json()["errorMessage"] == "Bad Request - Invalid ConfirmationURL"
    urls = {"ConfirmationURL": f"{live_server.url}/nowhere/c", "ValidationURL": f"{live_server.url}/nowhere/v"}
    registered = requests.post(f"{daraja}/mpesa/c2b/v1/registerurl", json={**base, **urls}, headers=access)
    assert registered.json()["ResponseDescription"] == "success" and "OriginatorCoversationID" in registered.json()

    simulated = requests.post(
        f"{daraja}/mpesa/c2b/v1/simulate",
        json={
            "ShortCode": 174379,
            "CommandID": "CustomerPayBillOnline",
            "Amount": 5,
            "Msisdn": 254708374149,
            "BillRefNumber": "X",
        },
        headers=access,
    )

    assert simulated.json()["ResponseCode"] == "0"
    row = wait_for(lambda: C2BTransaction.objects.exclude(validation_answer="").first())
    # Nobody answers validation there, so the registered ResponseType (Completed) lets it through.
    assert row.validation_answer == "no answer (JSONDecodeError): Completed"
    wait_for(lambda: C2BTransaction.objects.get(pk=row.pk).confirmed)
    assert hashed_or_masked("254708374149", "v1") == hashlib.sha256(b"254708374149").hexdigest()
    assert hashed_or_masked("254708374149", "v2") == "25470****149"
