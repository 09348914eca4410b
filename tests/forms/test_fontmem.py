"""A compacted font face gives reportlab exactly what the full face gives it."""

from __future__ import annotations

import mmap
import tracemalloc

import pytest
from reportlab.pdfbase import ttfonts

from app.services.forms import fonts
from app.services.forms.fontmem import compact_face, open_font

# Latin, punctuation, common and rare hanzi, a character beyond the BMP, a full-width digit
SAMPLE = "Aa1。，（）张王李赵钱孙堃喆赟㛃𠮷０"


def _pair(bold: bool):
    path = fonts.font_path(bold)
    full = ttfonts.TTFont("full", str(path)).face
    small = open_font("small", path).face
    return full, small


@pytest.fixture(scope="module", params=[False, True], ids=["regular", "bold"])
def faces(request):
    return _pair(request.param)


def test_widths_and_glyphs_unchanged(faces):
    full, small = faces
    assert small.charWidths == full.charWidths
    assert small.charToGlyph == full.charToGlyph
    assert small.defaultWidth == full.defaultWidth
    for cp in map(ord, SAMPLE):
        g = full.charToGlyph.get(cp, 0)
        assert int(small.hmetrics[g][0]) == int(full.hmetrics[g][0])
        assert small.hmetrics[g][1] == full.hmetrics[g][1]
        assert small.glyphPos[g] == full.glyphPos[g]


@pytest.mark.parametrize("text", [SAMPLE, "教师个人签字确认表", "".join(chr(c) for c in range(0x4E00, 0x4EFF))])
def test_subsets_are_byte_identical(faces, text):
    full, small = faces
    subset = [ord(ch) for ch in dict.fromkeys(text) if ord(ch) in full.charToGlyph]
    assert small.makeSubset(subset) == full.makeSubset(subset)


def test_the_font_file_is_mapped_not_copied(faces):
    _full, small = faces
    assert isinstance(small._ttf_data, mmap.mmap)
    assert not hasattr(small, "glyphToChar")


def _traced(make) -> int:
    """Bytes still allocated after `make()`, while its result is alive."""
    tracemalloc.start()
    try:
        result = make()
        size = tracemalloc.get_traced_memory()[0]
        del result
        return size
    finally:
        tracemalloc.stop()


def test_an_opened_font_holds_a_fraction_of_a_plain_face():
    path = fonts.font_path(False)
    plain = _traced(lambda: ttfonts.TTFont("plain", str(path)))
    small = _traced(lambda: open_font("small", path))
    assert small < plain / 2, (plain, small)


def test_table_window_reads_like_bytes():
    from app.services.forms.fontmem import TableWindow
    data = bytes(range(256)) * 4
    w = TableWindow(data, 100, 300)
    ref = data[100:400]
    assert len(w) == len(ref)
    for a, b in ((0, 2), (10, 10), (250, 400), (-5, None), (None, 3)):
        assert w[a:b] == ref[a:b]
    with pytest.raises(TypeError):
        w[3]
