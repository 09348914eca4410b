"""Keep a loaded TrueType face small: about 9 MB instead of 24 MB per weight.

reportlab's TTFontFace keeps the whole font file as bytes (10 MB for our CJK
font), a glyph → characters map that only the parsing needs, and per-glyph
metrics and offsets as Python tuples and ints (65,000 of each). Forms for a
bundle are laid out in two processes at once next to the exporter, so this is
memory paid three times over. After parsing, the face gets:

* the file as a read-only memory map, parsed from the map (the OS pages in only what
  parsing and subsetting read, and shares those pages between processes);
* metrics and glyph offsets in typed arrays, which index the same way;
* no glyph → characters map (read only while parsing);
* one float object per distinct width;
* the glyph table read glyph by glyph from the map when a subset is embedded, not
  copied whole (8 MB) for every subset of every PDF.

What reportlab reads later (widths, charToGlyph, subsetting) gets the same values,
so the PDFs are byte-for-byte the same (tests/forms/test_fontmem.py).
"""

from __future__ import annotations

import logging
import mmap
from array import array
from pathlib import Path

log = logging.getLogger(__name__)


class MetricPairs:
    """`face.hmetrics` as two typed arrays: `pairs[i]` is `(advance, left side bearing)`."""

    __slots__ = ("_aw", "_lsb")

    def __init__(self, pairs) -> None:
        self._aw = array("d")
        self._lsb = array("i")
        for aw, lsb in pairs:
            self._aw.append(aw)
            self._lsb.append(lsb)

    def __len__(self) -> int:
        return len(self._aw)

    def __getitem__(self, i: int):
        aw = self._aw[i]
        return (int(aw) if aw.is_integer() else aw), self._lsb[i]


class TableWindow:
    """A table of the mapped font file: slicing it reads just those bytes."""

    __slots__ = ("_data", "_start", "_len")

    def __init__(self, data, start: int, length: int) -> None:
        self._data, self._start, self._len = data, start, length

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("TableWindow only supports slices")
        a, b, step = key.indices(self._len)
        if step != 1:
            raise ValueError("TableWindow only supports contiguous slices")
        return self._data[self._start + a:self._start + max(a, b)]


def _windowed_glyf(face):
    """face.get_table, except that 'glyf' comes back as a TableWindow over the map."""
    plain = face.get_table

    def get_table(tag):
        if tag == "glyf":
            pos, length = face.get_table_pos(tag)
            return TableWindow(face._ttf_data, pos, length)
        return plain(tag)
    return get_table


class _MappedFile:
    """What reportlab's parser takes for a file: `read()` gives the whole file, here as a
    read-only memory map, so parsing touches only the tables it reads."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def read(self):
        return self._map


def open_font(name: str, path: Path):
    """A reportlab TTFont for `path`, parsed from a memory map and compacted."""
    from reportlab.pdfbase.ttfonts import TTFont
    try:
        font = TTFont(name, _MappedFile(Path(path)))
    except (OSError, ValueError) as exc:       # no map possible (e.g. an empty file): read it
        log.info("font %s not mapped: %s", path, exc)
        font = TTFont(name, str(path))
    compact_face(font.face)
    return font


def compact_face(face) -> None:
    """Shrink a parsed reportlab TTFontFace in place (see the module docstring)."""
    if isinstance(getattr(face, "_ttf_data", None), mmap.mmap):
        face.get_table = _windowed_glyf(face)
    if hasattr(face, "glyphToChar"):
        del face.glyphToChar
    hm = getattr(face, "hmetrics", None)
    if isinstance(hm, list):
        face.hmetrics = MetricPairs(hm)
    pos = getattr(face, "glyphPos", None)
    if isinstance(pos, list) and pos and max(pos) < 2 ** 32:
        face.glyphPos = array("I", pos)
    widths = getattr(face, "charWidths", None)
    if isinstance(widths, dict):
        shared: dict[float, float] = {}
        face.charWidths = {cp: shared.setdefault(w, w) for cp, w in widths.items()}
