"""ID numbers (GB 11643), phones, dates and hours."""

from datetime import date

import pytest

from app.errors import ValidationError
from app.services.validation.id_number import WEIGHTS, check_char
from app.services.validation import (mask_id_number, mask_phone, parse_date, validate_hours,
                                     validate_id_number, validate_phone)


@pytest.mark.parametrize("raw", ["11010519491231002X", "11010519491231002x", " 110105 19491231 002X ",
                                 "１１０１０５１９４９１２３１００２Ｘ", "440524198001010013"])
def test_valid_ids_are_normalised(raw):
    assert validate_id_number(raw) in ("11010519491231002X", "440524198001010013")


@pytest.mark.parametrize("raw,fragment", [
    ("110105194912310021", "校验位错误"),           # one digit changed: check digit no longer matches
    ("11010519491231003X", "校验位错误"),
    ("110105199002301234", "19900230 不是真实日期"),
    ("110105491231002", "15位旧号码"),
    ("11010519491231002", "应为18位"),
    ("1101051949123100XX", "非法字符"),
    ("990105194912310023", "省级行政区代码"),
    ("110105210001010011", "不合理"),              # born in the future
    ("", "为空"),
])
def test_invalid_ids_are_refused_with_reason(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(raw)
    assert fragment in exc.value.user_message


def test_check_char_is_the_standard_weighted_sum():
    # GB 11643: sum of digit × weight, mod 11, indexes "10X98765432"; every digit in every place
    import random
    rng = random.Random(11643)
    samples = ["0" * 17, "9" * 17, *("0" * k + d + "0" * (16 - k) for k in range(17) for d in "123456789"),
               *("".join(rng.choice("0123456789") for _ in range(17)) for _ in range(2000))]
    for first17 in samples:
        assert check_char(first17) == "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


class _Str(str):
    """A str subclass: takes the general path of the checks, never the plain-text shortcut."""


@pytest.mark.parametrize("raw", ["11010519491231002X", "11010519491231002x", "110105194912310021",
                                 "11010519491231003X", "110105199002301234", "990105194912310023",
                                 "110105210001010011", "440524198001010013", "110105180001010011",
                                 "11010519491231002Y", "1101051949123100２X", "11010519491231002X ",
                                 "110105491231002", "", "13800138000", "+86 138 0013 8000", "1380013800",
                                 "12800138000", "138001380001", "0411-12345678", "１３８００１３８０００"])
def test_the_plain_text_shortcuts_give_what_the_general_checks_give(raw):
    from app.services.validation import validate_phone

    def outcome(check, value):
        try:
            return check(value)
        except ValidationError as exc:
            return exc.user_message
    for check in (validate_id_number, validate_phone):
        assert outcome(check, raw) == outcome(check, _Str(raw))


def test_id_stored_as_number_is_refused_not_repaired():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(330102199001011000)
    assert "存成了数字" in exc.value.user_message
    with pytest.raises(ValidationError):
        validate_id_number(3.30102199001011e17)


def test_masking_hides_birth_date():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"


def test_phones():
    assert validate_phone("138 0013 8000") == "13800138000"
    assert validate_phone("+86 13800138000") == "13800138000"
    assert validate_phone("0411-85551234") == "0411-85551234"
    assert validate_phone("") == ""
    for bad in ("12345", "23800138000", "电话"):
        with pytest.raises(ValidationError):
            validate_phone(bad)


def test_dates_and_hours():
    assert parse_date("2026年9月1日") == date(2026, 9, 1)
    assert parse_date("2026/09/01") == date(2026, 9, 1)
    with pytest.raises(ValidationError):
        parse_date("2026-02-30")
    assert validate_hours("２.5") == 2.5
    for bad in (0, -1, "abc", 1000):
        with pytest.raises(ValidationError):
            validate_hours(bad)
