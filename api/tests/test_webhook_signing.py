"""Signatures follow Standard Webhooks: the spec's test vector, and the reference verifier."""

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from api.webhooks.signing import signed_headers

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_it_signs_the_specs_test_vector():
    headers = signed_headers(
        secrets=[VECTOR_SECRET],
        message_id=VECTOR_ID,
        sent_at=datetime.fromtimestamp(VECTOR_TIMESTAMP, tz=UTC),
        body=VECTOR_BODY,
    )

    assert headers["webhook-id"] == VECTOR_ID
    assert headers["webhook-timestamp"] == str(VECTOR_TIMESTAMP)
    assert headers["webhook-signature"] == VECTOR_SIGNATURE


def test_a_non_utc_send_time_signs_the_same_instant():
    from zoneinfo import ZoneInfo

    nairobi = datetime.fromtimestamp(VECTOR_TIMESTAMP, tz=ZoneInfo("Africa/Nairobi"))

    headers = signed_headers(secrets=[VECTOR_SECRET], message_id=VECTOR_ID, sent_at=nairobi, body=VECTOR_BODY)

    assert headers["webhook-signature"] == VECTOR_SIGNATURE


def test_the_reference_verifier_accepts_what_we_sign_now_and_refuses_a_changed_body():
    body = json.dumps({"type": "booking.created", "data": {"booking": {"id": 1}}})
    headers = signed_headers(secrets=[VECTOR_SECRET], message_id="msg_1", sent_at=datetime.now(UTC), body=body)

    assert Webhook(VECTOR_SECRET).verify(body, headers) == json.loads(body)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(VECTOR_SECRET).verify(body.replace("1", "2"), headers)


def test_two_secrets_give_two_signatures_the_reference_verifier_accepts_with_either():
    new_secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    body = json.dumps({"type": "payment.completed"})
    headers = signed_headers(
        secrets=[new_secret, VECTOR_SECRET], message_id="msg_2", sent_at=datetime.now(UTC), body=body
    )

    entries = headers["webhook-signature"].split(" ")
    assert len(entries) == 2 and all(entry.startswith("v1,") for entry in entries)
    assert Webhook(new_secret).verify(body, headers) == Webhook(VECTOR_SECRET).verify(body, headers)
