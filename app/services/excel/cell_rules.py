"""What any workbook writer of ours (openpyxl or XlsxWriter) does with a text: the characters XML
cannot hold, the length a cell takes, the starts that would make Excel evaluate it, its width
in Excel's units; and saving a workbook through a temporary file. No openpyxl here: the summary
workbook (XlsxWriter) needs these too, and an export should not load openpyxl for them."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from app.services.fileio import fsync_dir, os_errors, replace_with_retry

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")     # what XML 1.0 forbids below space
TEXT_FORMAT = "@"


def looks_like_formula(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_TRIGGERS


def clean_text(value: str) -> str:
    """Text a cell or a comment can hold: XML 1.0 forbids most control characters (openpyxl would
    raise IllegalCharacterError on a name stored before they were refused)."""
    if _CONTROL.search(value):
        value = _CONTROL.sub(" ", value)
    return value[:32767]


def text_width(text: str) -> int:
    """Excel width units: CJK characters count two."""
    longest = max((line for line in str(text).split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def save_workbook(wb, dest: Path) -> Path:
    """Save (anything with .save(path)) through a temporary file and rename, so a crash never
    leaves half a file."""
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".tmp")
    with os_errors(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            wb.save(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            replace_with_retry(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()
        fsync_dir(dest.parent)
    return dest
