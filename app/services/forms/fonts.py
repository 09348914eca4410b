"""The embedded Chinese fonts for the forms, and a character-coverage check.

resources/fonts/TishengSansSC-{Regular,Bold}.ttf are TrueType conversions of
Noto Sans CJK SC (OFL 1.1; see resources/fonts/README.md and tools/build_font.py).
reportlab embeds a subset of them in every PDF, so the form looks the same on
any PC. The Qt side may load the same files with QFontDatabase.addApplicationFont.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from app.resources import resource_path

REGULAR = "TishengSans"
BOLD = "TishengSans-Bold"
FAMILY = "Tisheng Sans SC"        # the family name Qt sees

_FILES = {REGULAR: "TishengSansSC-Regular.ttf", BOLD: "TishengSansSC-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def font_path(bold: bool = False) -> Path:
    """Path of the TTF (the Bold file falls back to Regular if it is not shipped)."""
    path = resource_path("fonts", _FILES[BOLD if bold else REGULAR])
    if bold and not path.exists():
        return font_path(False)
    return path


def font_paths() -> list[Path]:
    """Every font file to hand to QFontDatabase.addApplicationFont."""
    return sorted({font_path(False), font_path(True)})


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, fixed for characters beyond the BMP.

    reportlab writes `<%04X>` of the code point, so U+20BB7 (𠮷) becomes five hex
    digits and text extraction reads U+20BB. A PDF ToUnicode target is UTF-16BE,
    so non-BMP characters are written as a surrogate pair.
    """
    def utf16(cp: int) -> str:
        return cp.to_bytes(4, "big").hex().upper()[4:] if cp < 0x10000 else \
            chr(cp).encode("utf-16-be").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <%02X>" % (len(subset) - 1), "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(cp)}>" for i, cp in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]
    return "\n".join(lines)


def register_fonts() -> None:
    """Register both weights with reportlab (once per process; thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics, ttfonts

        from app.services.forms import speed, typeset
        from app.services.forms.fontmem import open_font

        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        typeset.install()
        speed.install()
        # Binary (Flate only) streams: no ASCII85 step, ~20% smaller and faster PDFs.
        rl_config.useA85 = 0
        for name, bold in ((REGULAR, False), (BOLD, True)):
            pdfmetrics.registerFont(open_font(name, font_path(bold)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True


@lru_cache(maxsize=1)
def covered() -> Collection[int]:
    """Code points the Regular font draws (reportlab's own cmap reading; a live view, not a copy)."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics
    face = pdfmetrics.getFont(REGULAR).face
    return face.charToGlyph.keys()


_ALWAYS_OK = {0x0A}


def missing_chars(text: str) -> list[str]:
    """Characters of `text` the font cannot draw (in order, without repeats)."""
    cov = covered()
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp not in cov and cp not in _ALWAYS_OK and ch not in out:
            out.append(ch)
    return out


def placeholder(ch: str) -> str:
    """What is printed instead of a character the font lacks: its code point, so a
    person can write the character in by hand (never a blank box)."""
    return f"[U+{ord(ch):04X}]"
