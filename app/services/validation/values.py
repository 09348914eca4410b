"""Phones, dates, hours and free text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from app.errors import ValidationError
from app.services.validation.controls import describe, invisible_in
from app.services.validation.phones import mask_phone  # noqa: F401 - re-exported

MAX_HOURS_PER_RECORD = 200.0
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_PHONE_NOISE = re.compile(r"[\s()（）]")


def normalize_text(raw: object, *, label: str = "填写的内容", field: str | None = None,
                   multiline: bool = False) -> str:
    """Trim, fold full-width spaces; keep everything else as typed, but refuse control and
    invisible characters (ESC sequences, bidi overrides, zero-width spaces…), which would reach a
    terminal, reorder a name on screen or make two equal-looking names differ. Line breaks and
    tabs only in multi-line fields (notes). `label` names the field in the message, `field` is
    the key a form highlights."""
    if raw is None:
        return ""
    text = str(raw).replace("\u3000", " ").strip()
    if text.isprintable():            # the usual case, checked in C
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
    found = invisible_in(text, multiline=multiline)
    if found is not None:
        at, ch = found
        raise ValidationError(f"{label}中第 {at} 个字符是看不见的控制字符（{describe(ch)}），"
                              "可能是从网页或其他软件复制时带进来的。请删除它后重新输入。", field=field)
    return text


def validate_phone(raw: object) -> str:
    if raw.__class__ is str and len(raw) == 11 and raw.isascii() and raw.isdigit() and _MOBILE.match(raw):
        return raw                    # a mobile number typed plainly (the usual case: 5,000 an import)
    if raw is None or str(raw).strip() == "":
        return ""
    if isinstance(raw, float):
        raw = int(raw)
    value = str(raw)
    if not value.isascii():           # ASCII is its own NFKC form
        value = unicodedata.normalize("NFKC", value)
    if not value.isdigit():
        value = _PHONE_NOISE.sub("", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise ValidationError(f"联系电话 {raw} 格式不正确：手机号应为11位（1开头），座机如 0411-12345678。",
                          field="phone")


_DATE_PATTERNS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(raw: object, *, field: str = "日期", required: bool = False) -> date | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise ValidationError(f"{field}不能为空。", field=field)
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    for pattern in _DATE_PATTERNS:
        try:
            value = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not 1990 <= value.year <= 2100:
            break
        return value
    raise ValidationError(f"{field}“{raw}”不是有效日期，请写成 2026-09-01 这样的格式。", field=field)


def validate_hours(raw: object, *, cap: float = MAX_HOURS_PER_RECORD) -> float:
    """A positive number of hours, kept to two decimals; empty, zero after rounding, negative,
    not a number or over the per-record cap are refused in Chinese."""
    if raw is None or (isinstance(raw, str) and not unicodedata.normalize("NFKC", raw).strip()):
        raise ValidationError("学时不能为空。", field="hours")
    try:
        value = float(unicodedata.normalize("NFKC", str(raw)).strip()) if not isinstance(
            raw, (int, float)) else float(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"学时“{raw}”不是数字。", field="hours") from None
    if value != value or value <= 0:
        raise ValidationError(f"学时应为正数，实际为 {raw}。", field="hours")
    if value > cap:
        raise ValidationError(f"学时 {value:g} 超过单条记录上限 {cap:g}，请检查是否多输了位数。",
                              field="hours")
    if round(value, 2) == 0:
        raise ValidationError(f"学时 {raw} 太小：学时按两位小数记录，它会记成 0。请填写至少 0.01 学时。",
                              field="hours")
    return round(value, 2)
