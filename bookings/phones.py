"""Phone numbers in one shape: E.164, as M-Pesa and SMS gateways want them."""

import phonenumbers
from django.core.exceptions import ValidationError

INVALID_PHONE_MESSAGE = (
    "Enter a valid phone number, e.g. 0712 345 678 or +254 712 345 678 (numbers outside Kenya need their country code)."
)


def normalise_phone(raw: str, default_region: str = "KE") -> str:
    """`raw` as E.164 (+254712345678); Kenyan 07xx, 01xx, 254… and +254… forms are accepted.

    Raises ValidationError with a message fit to show next to the form field.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.", code="required")
    # "254712345678" carries the country code without its plus; phonenumbers would read it as a local number.
    digits = "".join(ch for ch in text if ch.isdigit())
    if default_region == "KE" and digits.startswith("254") and not text.startswith(("+", "0")):
        text = "+" + digits
    # "00" is the international prefix people type in most of the world (Kenya's own is "000").
    elif text.startswith("00") and not text.startswith("000"):
        text = "+" + digits[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


NOT_MOBILE_MESSAGE = "Enter a mobile number: the clinic's messages and M-Pesa payments reach mobiles only."
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_mobile(raw: str, default_region: str = "KE") -> str:
    """`raw` as E.164, refusing landlines (where a country's plan tells them apart)."""
    e164 = normalise_phone(raw, default_region)
    if phonenumbers.number_type(phonenumbers.parse(e164)) not in MOBILE_TYPES:
        raise ValidationError(NOT_MOBILE_MESSAGE, code="not_mobile")
    return e164
