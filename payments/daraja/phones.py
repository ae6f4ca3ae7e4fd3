"""Phone numbers as Daraja wants them: 2547XXXXXXXX or 2541XXXXXXXX."""

import re

from .errors import InvalidRequest

_SAFARICOM = re.compile(r"^254[17]\d{8}$")
_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_msisdn(raw: str) -> str:
    """07xx…, 01xx…, +2547…, 2547… (spaces and dashes allowed) → 2547…/2541…; anything else is refused."""
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+"):
        text = text[1:]
    if re.fullmatch(r"0[17]\d{8}", text):
        text = "254" + text[1:]
    elif re.fullmatch(r"[17]\d{8}", text):
        text = "254" + text
    if not _SAFARICOM.fullmatch(text):
        raise InvalidRequest(
            "M-Pesa needs a Kenyan mobile number such as 0712 345 678, 0110 123 456 or +254 712 345 678."
        )
    return text


def mask_msisdn(msisdn: str) -> str:
    """Every digit but the last three hidden: what dashboards and audit rows show."""
    digits = re.sub(r"\D", "", msisdn or "")
    if len(digits) <= 3:
        return "•" * len(digits)
    return "•" * (len(digits) - 3) + digits[-3:]
