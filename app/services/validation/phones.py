"""Masking phone numbers by their digits, whatever shape they were typed in.

The last four characters of `0411-86667777-8001` are the extension: masking them left the whole
number readable. Here the digits are found first (full-width digits too) and the number is
understood as China writes it: an optional +86 / 0086, then a mobile (11 digits from 1) or a
landline (area code 010 / 02x / 0xxx, a 7–8 digit subscriber number, an optional extension).
What stays visible is what the usual 138****5678 shows: the operator or area prefix and the last
four digits of the number itself. The middle of a mobile, all but the last four (at most) of a
subscriber number and every digit of an extension are replaced by `*`; separators, spaces and
brackets stay where they were. A shape that is none of these keeps only its last two digits.
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT_GROUPS = re.compile(r"\d+")


def _digits(value: str) -> tuple[list[int], str]:
    """(positions of the digits in value, the digits as ASCII)."""
    pos = [i for i, ch in enumerate(value) if unicodedata.decimal(ch, None) is not None]
    return pos, "".join(str(unicodedata.decimal(value[i])) for i in pos)


def _country_code(value: str, digits: str) -> int:
    """How many leading digits are the +86 country code."""
    text = unicodedata.normalize("NFKC", value).lstrip(" (（")
    if text.startswith("+86") or (text.startswith("86") and len(digits) >= 12 and digits[2] in "01"):
        return 2
    if text.startswith("0086"):
        return 4
    return 0


def _area_length(digits: str, groups: list[int]) -> int:
    """Digits of a landline's area code: the first group when it was written apart, else by the
    numbering plan (010 and 02x are three digits, every other area code four)."""
    if len(groups) > 1 and groups[0] in (3, 4):
        return groups[0]
    return 3 if digits[:2] in ("01", "02") else 4


def hidden_digits(value: str) -> set[int]:
    """Indexes (into the digits of value) that a masked phone must not show."""
    _, digits = _digits(value)
    n = len(digits)
    cc = _country_code(value, digits)
    main = digits[cc:]
    groups = [len(g) for g in _DIGIT_GROUPS.findall(unicodedata.normalize("NFKC", value))]
    if cc and groups:                                           # groups of the number itself
        groups = groups[1:] if groups[0] == cc else [groups[0] - cc] + groups[1:]
    if len(main) >= 11 and main[0] == "1":                       # mobile (+ anything after it)
        return {cc + i for i in range(3, 7)} | set(range(cc + 11, n))
    if len(main) >= 9 and main[0] == "0":                        # landline with its area code
        area = _area_length(main, groups)
        ends = {sum(groups[:i + 1]) for i in range(len(groups) - 1)}  # where a written group ends
        # a subscriber number has 7 or 8 digits; a break after the 7th says which (the rest is
        # the extension)
        sub_len = 7 if area + 7 in ends and len(main) > area + 7 and area + 8 not in ends \
            else min(8, len(main) - area)
        start = cc + area
        shown = min(4, sub_len // 2)
        return set(range(start, start + sub_len - shown)) | set(range(start + sub_len, n))
    if 7 <= len(main) <= 8 or (len(main) > 8 and groups and 7 <= groups[0] <= 8):
        sub_len = groups[0] if groups and 7 <= groups[0] <= 8 else len(main)
        return set(range(cc, cc + sub_len - 4)) | set(range(cc + sub_len, n))   # local number
    return set(range(max(0, n - 2))) if n > 4 else set(range(n))


def mask_phone(value: str | None) -> str:
    """The phone with its identifying digits replaced by `*`, everything else as written."""
    if not value:
        return ""
    pos, _ = _digits(value)
    if not pos:
        return "*" * len(value) if len(value) <= 4 else value[:-4] + "****"
    chars = list(value)
    for k in hidden_digits(value):
        chars[pos[k]] = "*"
    return "".join(chars)
