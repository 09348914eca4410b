"""How the tools a school or district uses could read one zip entry name, and when two collide.

A name written without the UTF-8 flag is only bytes: Chinese Windows' Explorer reads them as
GBK, Python and Western tools as CP437, 7-Zip and Info-ZIP `unzip` prefer a Unicode Path extra
field when there is one, and some old tools ignore the UTF-8 flag altogether. The reader takes
one name per entry (`chosen`), but checks every interpretation for escapes and for collisions,
so no tool can extract a different file under a name the verifier vouched for.
"""

from __future__ import annotations

import re
import unicodedata

_DRIVE = re.compile(r"^[A-Za-z]:")


def interpretations(raw: bytes) -> list[str]:
    """Every plausible reading of the raw name bytes (CP437 always; UTF-8 and GB18030 when valid)."""
    out = [raw.decode("cp437")]
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if text not in out:
            out.append(text)
    return out


def chosen(raw: bytes, utf8_flag: bool) -> str | None:
    """The name as the author meant it: UTF-8 with the flag; without it strict UTF-8, then
    GB18030 (what "发送到 → 压缩文件夹" on Chinese Windows writes), then CP437.
    None when the flag promises UTF-8 and the bytes are not."""
    if utf8_flag:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437")


def normal(name: str) -> str:
    """'/'-separated and NFC, as the bag and the manifest spell names."""
    return unicodedata.normalize("NFC", name).replace("\\", "/")


def windows_key(name: str) -> str:
    """The key two names share when Windows would store them as one file: case-insensitive,
    NFC (a Mac's NFD), trailing dots and spaces of every component dropped, either slash."""
    parts = [p.rstrip(" .") for p in normal(name).split("/")]
    return "/".join(parts).casefold()


def folders_of(key: str) -> list[str]:
    """The folder keys a file key lives in: 'a/b/c' -> ['a', 'a/b']."""
    parts = key.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def escapes(name: str) -> str | None:
    """Why a name would be written outside the target folder by some tool, or None."""
    text = normal(name)
    if "\x00" in text:
        return "名称中有空字符"
    if text.startswith("/"):
        return "是绝对路径"
    if _DRIVE.match(text):
        return "含有盘符"
    if any(p.rstrip(" ") in ("..",) for p in text.split("/")):
        return "含有“..”，会跳出目标文件夹"
    return None


def generic_problem(name: str) -> str | None:
    """The default check for a member name: no escape, no colon (Windows streams and devices),
    no control characters (they would reach a terminal or a file name)."""
    why = escapes(name)
    if why:
        return why
    if ":" in name:
        return "含有冒号（Windows 备用数据流或设备名）"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        return "名称中有控制字符"
    return None
