"""What an SMS costs: GSM-7 or UCS-2, and how many parts."""

from hypothesis import given
from hypothesis import strategies as st

from notifications.sms_length import GSM7_BASIC, sms_length


def test_160_plain_characters_are_one_part_and_161_are_two():
    assert sms_length("a" * 160) == sms_length("a" * 160).__class__("GSM-7", 160, 1)
    assert sms_length("a" * 161).parts == 2
    assert sms_length("a" * 306).parts == 2
    assert sms_length("a" * 307).parts == 3


def test_extension_characters_count_twice():
    length = sms_length("€" * 80)
    assert (length.encoding, length.units, length.parts) == ("GSM-7", 160, 1)
    assert sms_length("€" * 81).parts == 2


def test_one_character_outside_gsm7_makes_the_whole_message_ucs2():
    assert sms_length("a" * 69 + "ł").encoding == "UCS-2"
    assert sms_length("a" * 69 + "ł").parts == 1
    assert sms_length("a" * 70 + "ł").parts == 2


def test_an_emoji_takes_two_ucs2_units_and_is_never_split():
    length = sms_length("😀" * 35)
    assert (length.encoding, length.units, length.parts) == ("UCS-2", 70, 1)
    # 67 units per part: 33 emoji fill 66 units, the 34th does not fit and starts the next part.
    assert sms_length("😀" * 36).parts == 2
    assert sms_length("😀" * 67).parts == 3


def test_an_escape_is_never_split_across_parts():
    # 152 plain characters leave one unit in the first part: the two-unit € moves to the second.
    assert sms_length("a" * 152 + "€" + "a" * 152).parts == 3


@given(st.text(alphabet=sorted(GSM7_BASIC), min_size=0, max_size=600))
def test_plain_gsm7_text_needs_ceil_of_153_after_one_part(text):
    length = sms_length(text)
    expected = 1 if len(text) <= 160 else -(-len(text) // 153)
    assert (length.encoding, length.parts) == ("GSM-7", expected)
