"""Windows-safe, BagIt-safe names for files inside the bundle.

Evidence keeps whatever name a teacher's PC gave it; on the stick every path
component must survive Windows, FAT32/exFAT and every BagIt implementation:

* NFC (a Mac's NFD names would not match the manifest on Windows);
* no ``< > : " / \\ | ? *``, no control or bidi-override characters, no DEL, no ``%`` (RFC 8493
  wants it percent-encoded and implementations disagree, bagit-python #157);
* no trailing space or dot, no reserved device name (``CON``, ``nul.txt``, ``COM¹``…);
* at most 60 UTF-16 units per component and 160 for the whole path inside the bag;
* unique within its folder ignoring case (Windows is case-insensitive), with ``~2``, ``~3``.

The original names stay in bundle.json.
"""

from __future__ import annotations

import re
import unicodedata

FORBIDDEN = set('<>:"/\\|?*%')
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"COM{c}" for c in "0123456789¹²³"), *(f"LPT{c}" for c in "0123456789¹²³")}
MAX_COMPONENT = 60
MAX_BAG_PATH = 160
_JOINERS = {"\u200d", "\u200c"}
# bidirectional overrides make "文件\u202Excod.exe" look like "文件exe.docx"
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# what clean_component replaces: FORBIDDEN, the bidirectional controls, and the categories Cc
# (C0 and C1 controls), Cs (surrogates), Zl and Zp (checked against unicodedata in the tests)
_UNSAFE = re.compile('[<>:"/\\\\|?*%\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029'
                     '\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _is_extender(ch: str) -> bool:
    """A character that belongs to the grapheme before it (mark, joiner, variation selector)."""
    cp = ord(ch)
    return (unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Me", "Mc")
            or ch in _JOINERS or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF
            or 0x1F3FB <= cp <= 0x1F3FF)


def truncate_graphemes(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units, never splitting a character from its marks."""
    if utf16_len(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if used + w > limit:
            break
        out.append(ch)
        used += w
    cut = len(out)
    # back off while the next character still belongs to the last grapheme
    while 0 < cut < len(text) and (_is_extender(text[cut]) or text[cut - 1] in _JOINERS):
        cut -= 1
    return text[:cut]


def is_reserved(name: str) -> bool:
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in RESERVED


def clean_component(raw: str, *, fallback: str = "未命名", limit: int = MAX_COMPONENT,
                    keep_ext: bool = True) -> str:
    """One safe path component (not yet made unique)."""
    name = unicodedata.normalize("NFC", raw or "")
    name = _UNSAFE.sub("_", name)
    name = name.strip(" ").rstrip(". ")
    if not name.strip("."):
        name = fallback
    if is_reserved(name):
        name = "_" + name
    if utf16_len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if keep_ext and dot and stem and 0 < utf16_len(ext) <= 12 and " " not in ext:
            room = limit - utf16_len(ext) - 1
            name = truncate_graphemes(stem, room).rstrip(". ") + "." + ext
        else:
            name = truncate_graphemes(name, limit).rstrip(". ")
    return name or fallback


def split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and utf16_len(ext) <= 12:
        return stem, "." + ext
    return name, ""


def fold(name: str) -> str:
    """The key two names collide on, on Windows."""
    return unicodedata.normalize("NFC", name).casefold()


class Folder:
    """Hands out unique, safe names inside one folder of the bag."""

    def __init__(self, bag_path: str) -> None:
        self.bag_path = bag_path.rstrip("/")
        self._taken: set[str] = set()

    def room(self) -> int:
        """UTF-16 units left for a name in this folder under the 160-unit path budget."""
        return min(MAX_COMPONENT, MAX_BAG_PATH - utf16_len(self.bag_path) - 1)

    def claim_folder(self, raw: str, *, limit: int = MAX_COMPONENT, fallback: str = "未命名") -> str:
        """A unique sub-folder name (no extension handling); returns its bag path."""
        return self.claim(raw, fallback=fallback, limit=limit, keep_ext=False)

    def claim(self, raw: str, *, fallback: str = "未命名", limit: int | None = None,
              keep_ext: bool = True) -> str:
        """A safe, unique name for `raw` here; returns the full bag path."""
        limit = min(limit or MAX_COMPONENT, self.room())
        if limit < 8:
            raise ValueError(f"folder path too long: {self.bag_path}")
        base = clean_component(raw, fallback=fallback, limit=limit, keep_ext=keep_ext)
        name = base
        n = 1
        while fold(name) in self._taken:
            n += 1
            stem, ext = split_ext(base) if keep_ext else (base, "")
            suffix = f"~{n}"
            stem = truncate_graphemes(stem, limit - utf16_len(ext) - len(suffix)).rstrip(". ")
            name = f"{stem}{suffix}{ext}"
        self._taken.add(fold(name))
        return f"{self.bag_path}/{name}"


def check_bag_path(path: str) -> str | None:
    """Why a path read from a manifest or a zip is unsafe, or None when it is fine.

    Used by the verifier and the zip reader (zip-slip class): refuses absolute
    paths, drive letters, UNC/device paths, `..`, empty components, NUL and colons.
    """
    if not path:
        return "路径为空"
    if "\x00" in path:
        return "路径含有空字符"
    if path.startswith(("/", "\\")):
        return "是绝对路径"
    if len(path) >= 2 and path[1] == ":":
        return "含有盘符"
    if ":" in path:
        return "含有冒号（Windows 备用数据流或设备名）"
    parts = path.replace("\\", "/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "含有“..”或空的路径段，会跳出报送包文件夹"
    if path.startswith("~"):
        return "以 ~ 开头"
    return None
