"""Phones are masked by their digits in every shape (issue 19 item 11).

`0411-86667777-8001` used to show as `0411-86667777-****`: the last four characters were the
extension. Generated shapes – mobiles and landlines, +86 / 0086, area codes of three and four
digits, extensions written with -, 转, ext or #, spaces, dashes, brackets, full-width digits – must
never show a subscriber number or extension, and keep everything that is not a digit in place.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.validation import mask_phone, validate_phone

FULL = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")


@st.composite
def phones(draw):
    """(written form, the digits that must stay hidden as (start, end) ranges of the digit string)."""
    country = draw(st.sampled_from(["", "+86", "+86 ", "0086 ", "86"]))
    sep = draw(st.sampled_from(["", " ", "-"]))
    cc = len("".join(c for c in country if c.isdigit()))
    if draw(st.booleans()):                                    # mobile
        number = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
        text = country + number[:3] + sep + number[3:7] + sep + number[7:]
        hidden = [(cc + 3, cc + 7)]
        return text, hidden, cc + 11
    area = draw(st.sampled_from(["010", "021", "029", "0411", "0311", "0999"]))
    sub = draw(st.sampled_from("23456789")) + draw(st.text("0123456789", min_size=6, max_size=7))
    bracket = draw(st.booleans()) and sep != "-"
    text = country + (f"({area})" if bracket else area) + (sep or (" " if bracket else "")) + sub
    hidden = [(cc + len(area), cc + len(area) + len(sub) - (3 if len(sub) == 7 else 4))]
    end = cc + len(area) + len(sub)
    if draw(st.booleans()):
        ext = draw(st.text("0123456789", min_size=1, max_size=6))
        text += draw(st.sampled_from(["-", "转", " ext ", "#", " 转 "])) + ext
        hidden.append((end, end + len(ext)))
        end += len(ext)
    return text, hidden, end


def _digits(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


@settings(max_examples=400, deadline=None)
@given(phones(), st.booleans())
def test_every_shape_is_masked_by_digits(case, full_width):
    text, hidden, total = case
    if full_width:
        text = text.translate(FULL)
    masked = mask_phone(text)
    assert len(masked) == len(text)
    assert [c for c in masked if unicodedata.decimal(c, None) is None and c != "*"] == \
        [c for c in text if unicodedata.decimal(c, None) is None], (text, masked)   # layout kept
    digits = _digits(text)
    assert len(digits) == total
    shown = [c if c != "*" else None for c in masked if c == "*" or unicodedata.decimal(c, None) is not None]
    for start, end in hidden:
        assert all(shown[i] is None for i in range(start, end)), (text, masked)
    visible = "".join(c for c in shown if c is not None)
    assert len(visible) <= len(digits) - 4


def test_the_reported_cases():
    assert mask_phone("0411-86667777-8001") == "0411-****7777-****"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "+86 138-****-5678"
    assert mask_phone("０４１１－８６６６７７７７") == "０４１１－****７７７７"
    assert mask_phone("") == "" and mask_phone(None) == ""


@settings(max_examples=200, deadline=None)
@given(phones())
def test_what_validation_stores_is_masked_too(case):
    text, _, _ = case
    try:
        stored = validate_phone(text)
    except Exception:                                          # a shape validation refuses
        return
    masked = mask_phone(stored)
    assert masked.count("*") >= 4 and len(masked) == len(stored)
