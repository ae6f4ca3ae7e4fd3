"""How many parts an SMS costs: GSM-7 when every character fits it, UCS-2 otherwise (3GPP TS 23.038)."""

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as an escape plus the character: two units each.
GSM7_EXTENSION = set("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
MULTI = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SmsLength:
    encoding: str
    units: int
    parts: int


def _units(char: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if char in GSM7_EXTENSION else 1
    # Outside the Basic Multilingual Plane a character is a surrogate pair.
    return 2 if ord(char) > 0xFFFF else 1


def encoding_of(text: str) -> str:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def _parts(text: str, encoding: str) -> int:
    """Parts of a concatenated message, never splitting an escape or a surrogate pair."""
    size, parts, used = MULTI[encoding], 1, 0
    for char in text:
        units = _units(char, encoding)
        if used + units > size:
            parts, used = parts + 1, 0
        used += units
    return parts


def sms_length(text: str) -> SmsLength:
    encoding = encoding_of(text)
    units = sum(_units(c, encoding) for c in text)
    parts = 1 if units <= SINGLE[encoding] else _parts(text, encoding)
    return SmsLength(encoding=encoding, units=units, parts=parts)
