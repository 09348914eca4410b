"""Control and invisible characters: refused in what people type, escaped in what we print.

A teacher's name typed as `\\x1b[H\\x1b[J钱七` clears the terminal of whoever lists the teachers;
`\\u202e` turns "txt.exe" into "exe.txt"; a zero-width space makes 18 visible digits count as 19.
`invisible_in()` finds such a character (C0 and C1 controls, DEL, every Unicode format character
– bidi overrides and isolates, zero-width space and joiners, the BOM, soft hyphen – line and
paragraph separators, surrogates); `escape_invisible()` replaces each with a visible `\\uXXXX`,
which is also a valid JSON escape, so the CLI output and log lines can never carry one raw.
"""

from __future__ import annotations

import unicodedata

NAMES = {
    "\x00": "空字符", "\t": "制表符", "\n": "换行符", "\r": "回车符", "\x1b": "转义符（ESC）",
    "\x7f": "删除符", "\u00ad": "软连字符", "\u200b": "零宽空格", "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符", "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u2028": "行分隔符",
    "\u2029": "段分隔符", "\u202a": "从左到右嵌入符", "\u202b": "从右到左嵌入符", "\u202c": "方向格式结束符",
    "\u202d": "从左到右覆盖符", "\u202e": "从右到左覆盖符", "\u2060": "零宽不换行符", "\u2066": "从左到右隔离符",
    "\u2067": "从右到左隔离符", "\u2068": "方向隔离符", "\u2069": "方向隔离结束符", "\ufeff": "零宽不换行空格（BOM）",
    "\u061c": "阿拉伯字母标记", "\u180e": "蒙古文元音分隔符",
}
_LINE_BREAKS = "\n\r\t"


def is_invisible(ch: str) -> bool:
    """A character that controls a terminal or text direction, or takes no visible space."""
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Zl", "Zp", "Cs") or ch == "\u180e"


def describe(ch: str) -> str:
    """'U+200B 零宽空格' – how a message names the character."""
    code = f"U+{ord(ch):04X}"
    name = NAMES.get(ch) or ("控制字符" if unicodedata.category(ch) == "Cc" else "不可见的格式字符")
    return f"{code} {name}"


def invisible_in(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """(position counted from 1, character) of the first refused character, or None.

    Line breaks and tabs are allowed only in multi-line fields (notes)."""
    if text.isprintable():        # no Cc, Cf, Cs, Zl or Zp character at all (checked in C, per cell)
        return None
    for i, ch in enumerate(text, 1):
        if is_invisible(ch) and not (multiline and ch in _LINE_BREAKS):
            return i, ch
    return None


def escape_invisible(text: str, *, keep: str = "\n\t") -> str:
    """Every invisible character except those in `keep` as `\\uXXXX` (UTF-16 units, as JSON)."""
    if text.isprintable() or not any(is_invisible(ch) and ch not in keep for ch in text):
        return text
    out = []
    for ch in text:
        if ch in keep or not is_invisible(ch):
            out.append(ch)
            continue
        cp = ord(ch)
        if cp > 0xFFFF:
            cp -= 0x10000
            out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
        else:
            out.append(f"\\u{cp:04x}")
    return "".join(out)
