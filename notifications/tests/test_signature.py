"""X-Twilio-Signature against Twilio's published test vector."""

from notifications.senders.twilio.signature import is_valid_signature, twilio_signature

URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}


def test_the_signature_matches_twilios_test_vector():
    assert twilio_signature("12345", URL, PARAMS.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_changed_parameter_or_token_fails_verification():
    assert is_valid_signature("12345", URL, PARAMS.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not is_valid_signature("12345", URL, {**PARAMS, "Digits": "9999"}.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not is_valid_signature("54321", URL, PARAMS.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not is_valid_signature("", URL, PARAMS.items(), "")
