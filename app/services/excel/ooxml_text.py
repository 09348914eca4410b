"""OOXML's `_xHHHH_` escapes in cell text (ECMA-376 Part 1, 22.9.2.19 ST_Xstring).

Excel, WPS and python-calamine read `_x0041_` in a cell's text as "A" (how characters XML
cannot hold are written); openpyxl neither writes nor reads them. So text a user typed that
happens to look like one (`_x0041_`, `_x000D_`) must be stored with its underscore escaped as
`_x005F_`, or Excel shows another text; and what the openpyxl reader returns must be unescaped,
or a sheet reads differently from how Excel shows it. Every `_` that starts such a sequence is
escaped, also where the `_` closing one sequence opens the next (`_x0041_x0042_`).
"""

from __future__ import annotations

import re

_STARTS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_literal(text: str) -> str:
    """The text to store so that Excel shows `text` as it is."""
    return _STARTS_ESCAPE.sub("_x005F_", text) if "_x" in text else text


def unescape(text: str) -> str:
    """The text Excel shows for the stored `text` (left to right, as Excel decodes it)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
