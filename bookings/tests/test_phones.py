"""Patients type phone numbers every which way; we keep them in E.164."""

import pytest
from django.core.exceptions import ValidationError

from bookings.phones import normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0712345678",
        "0712 345 678",
        "0712-345-678",
        "712345678",
        "+254712345678",
        "+254 712 345 678",
        "254712345678",
        "254 712 345678",
        "(+254) 712-345-678",
        "000254712345678",
    ],
)
def test_kenyan_safaricom_forms_become_e164(typed):
    assert normalise_phone(typed) == "+254712345678"


@pytest.mark.parametrize("typed", ["0110123456", "+254110123456", "254110123456", "0110 123 456"])
def test_the_newer_01xx_prefixes_are_accepted(typed):
    assert normalise_phone(typed) == "+254110123456"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+1 (212) 555-0123", "+12125550123"),
        ("+255 754 123 456", "+255754123456"),
    ],
)
def test_numbers_from_elsewhere_keep_their_country(typed, e164):
    assert normalise_phone(typed) == e164


def test_another_default_region_reads_local_numbers_as_its_own():
    assert normalise_phone("07911 123456", default_region="GB") == "+447911123456"


@pytest.mark.parametrize(
    "typed", ["12345", "0712 345", "+25471234567890", "0812345678", "not a number", "2547", "+254", "07123456789"]
)
def test_numbers_that_cannot_be_dialled_are_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(typed)

    assert refused.value.messages == [
        "Enter a valid phone number, e.g. 0712 345 678 or +254 712 345 678 "
        "(numbers outside Kenya need their country code)."
    ]


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_number_asks_for_one(typed):
    with pytest.raises(ValidationError, match="Enter a phone number"):
        normalise_phone(typed)
