"""The Daraja client: its rules without a network, and its OAuth and errors against the emulator."""

import base64
from datetime import UTC, datetime

import pytest
import requests

from payments.daraja import (
    DarajaClient,
    DarajaCredentials,
    DarajaError,
    InvalidRequest,
    MemoryTokenCache,
    StkPushRequest,
    describe_result_code,
    normalise_msisdn,
)
from payments.daraja.callbacks import MalformedCallback, parse_stk_callback
from payments.daraja.credentials import daraja_timestamp, stk_password
from payments.daraja.messages import check_callback_url, whole_amount
from sandbox.daraja import faults, world
from sandbox.daraja.models import DarajaToken

CALLBACK = "https://clinic.example/hooks/abc/secret/stk-result/"


@pytest.mark.parametrize(
    "typed, msisdn",
    [
        ("0712345678", "254712345678"),
        ("0712 345 678", "254712345678"),
        ("0110-123-456", "254110123456"),
        ("+254712345678", "254712345678"),
        ("254712345678", "254712345678"),
        ("+254 110 123 456", "254110123456"),
        ("712345678", "254712345678"),
    ],
)
def test_kenyan_numbers_become_the_msisdn_daraja_wants(typed, msisdn):
    assert normalise_msisdn(typed) == msisdn


@pytest.mark.parametrize(
    "typed", ["", "0812345678", "07123456", "071234567890", "+255712345678", "2540712345678", "phone"]
)
def test_other_numbers_are_refused_with_a_clear_message(typed):
    with pytest.raises(InvalidRequest, match="Kenyan mobile number"):
        normalise_msisdn(typed)


@pytest.mark.parametrize("value, amount", [(1, 1), (250_000, 250_000), ("1500", 1500), (1500.0, 1500)])
def test_whole_amounts_from_one_to_250000_are_accepted(value, amount):
    assert whole_amount(value) == amount


@pytest.mark.parametrize(
    "value, says", [(0, "from KES 1"), (250_001, "250,000"), (10.5, "cents"), ("ten", "whole"), (True, "whole")]
)
def test_other_amounts_are_refused(value, says):
    with pytest.raises(InvalidRequest, match=says):
        whole_amount(value)


def test_field_limits_are_kept():
    request = StkPushRequest(
        phone="0712345678",
        amount=10,
        account_reference="ABCDEFGH",
        callback_url=CALLBACK,
        description="Booking ABCDEFGH",
    )
    assert request.description == "Booking ABCDE"  # 13 characters at most
    with pytest.raises(InvalidRequest, match="12 characters"):
        StkPushRequest(phone="0712345678", amount=10, account_reference="A" * 13, callback_url=CALLBACK)
    with pytest.raises(InvalidRequest, match="mpesa"):
        check_callback_url("https://clinic.example/mpesa/callback")


def test_timestamp_and_password_use_nairobi_time():
    moment = datetime(2026, 1, 31, 22, 30, 5, tzinfo=UTC)
    assert daraja_timestamp(moment) == "20260201013005"
    assert base64.b64decode(stk_password("174379", "key", "20260201013005")) == b"174379key20260201013005"


def test_result_codes_read_as_sentences():
    assert describe_result_code(1032) == "The payment was cancelled on the phone."
    assert describe_result_code("2001") == "The M-Pesa PIN was wrong."
    assert "insufficient" not in describe_result_code("1") and "balance" in describe_result_code("1")
    assert describe_result_code("4242") == "M-Pesa did not complete the payment (code 4242)."


def test_a_callback_with_a_float_amount_and_a_balance_without_value_is_read():
    raw = (
        b'{"Body":{"stkCallback":{"MerchantRequestID":"1","CheckoutRequestID":"ws_CO_1","ResultCode":0,'
        b'"ResultDesc":"ok","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},'
        b'{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},{"Name":"Balance"},'
        b'{"Name":"TransactionDate","Value":20191219102115},{"Name":"PhoneNumber","Value":254708374149}]}}}}'
    )
    callback = parse_stk_callback(raw)
    assert callback.amount == 1.0 and callback.receipt_number == "NLJ7RT61SV" and callback.phone == "254708374149"
    with pytest.raises(MalformedCallback):
        parse_stk_callback(b'{"Body":{"stkCallback":{"CheckoutRequestID":"x","ResultCode":true}}}')


# --- Against the emulator -------------------------------------------------------------------------


def client(base_url: str, tokens=None, secret: str = world.DEMO_CONSUMER_SECRET) -> DarajaClient:
    return DarajaClient(
        session=requests.Session(),
        credentials=DarajaCredentials(
            base_url=base_url,
            consumer_key=world.DEMO_CONSUMER_KEY,
            consumer_secret=secret,
            shortcode=world.DEMO_SHORTCODE,
            passkey=world.DEMO_PASSKEY,
        ),
        tokens=tokens or MemoryTokenCache(),
    )


@pytest.mark.django_db(transaction=True)
def test_one_token_is_fetched_and_shared_by_every_client_of_the_clinic(daraja_url):
    shared = MemoryTokenCache()
    first, second = client(daraja_url, shared), client(daraja_url, shared)

    assert first.access_token() == second.access_token()
    assert DarajaToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_token_replaced_elsewhere_is_refreshed_once_and_the_call_goes_through(daraja_url, settings):
    daraja = client(daraja_url)
    stale = daraja.access_token()
    client(daraja_url).access_token()  # another installation asks: the first token dies

    accepted = daraja.stk_push(
        StkPushRequest(phone="0700000000", amount=1, account_reference="ABC", callback_url=CALLBACK)
    )

    assert accepted.checkout_request_id.startswith("ws_CO_")
    assert daraja.access_token() != stale


@pytest.mark.django_db(transaction=True)
def test_wrong_consumer_credentials_say_so(daraja_url):
    with pytest.raises(DarajaError) as refused:
        client(daraja_url, secret="wrong").test_connection()

    assert refused.value.explanation == "M-Pesa refused the consumer key or secret. Check both in the M-Pesa settings."


@pytest.mark.django_db(transaction=True)
def test_daraja_errors_come_back_as_sentences(daraja_url):
    daraja = client(daraja_url)
    faults.inject("stkpush", "spike")
    with pytest.raises(DarajaError) as spike:
        daraja.stk_push(StkPushRequest(phone="0700000000", amount=1, account_reference="ABC", callback_url=CALLBACK))
    assert spike.value.retryable and "spike arrest" in spike.value.explanation

    first = daraja.stk_push(
        StkPushRequest(phone="0711000111", amount=1, account_reference="ABC", callback_url=CALLBACK)
    )
    with pytest.raises(DarajaError) as busy:
        daraja.stk_push(StkPushRequest(phone="0711000111", amount=1, account_reference="ABC", callback_url=CALLBACK))
    assert busy.value.explanation == "The phone is busy with another M-Pesa transaction. Wait a minute and try again."
    assert daraja.stk_query(first.checkout_request_id).pending


@pytest.mark.django_db(transaction=True)
def test_stk_query_reads_the_result_code_given_as_text(daraja_url):
    from meetings.testing.scenes import wait_for

    daraja = client(daraja_url)
    accepted = daraja.stk_push(
        StkPushRequest(phone="0700002001", amount=5, account_reference="ABC", callback_url=CALLBACK)
    )

    result = wait_for(lambda: (r := daraja.stk_query(accepted.checkout_request_id)) and not r.pending and r)

    assert result.result_code == "2001" and not result.succeeded
