"""A compacted font face gives reportlab exactly what the full face gives it."""

from __future__ import annotations

import mmap
import tracemalloc

import pytest
from reportlab.pdfbase import ttfonts

from app.services.forms import fonts
from app.services.forms.fontmem import compact_face

# Latin, punctuation, common and rare hanzi, a character beyond the BMP, a full-width digit
SAMPLE = "Aa1。，（）张王李赵钱孙堃喆赟㛃𠮷０"


def _pair(bold: bool):
    path = fonts.font_path(bold)
    full = ttfonts.TTFont("full", str(path)).face
    small = ttfonts.TTFont("small", str(path)).face
    compact_face(small, path)
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


def test_compaction_frees_most_of_the_face():
    path = fonts.font_path(False)
    tracemalloc.start()
    try:
        face = ttfonts.TTFont("measure", str(path)).face
        before = tracemalloc.get_traced_memory()[0]
        compact_face(face, path)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after < before / 2, (before, after)


def test_a_file_that_changed_is_not_mapped(tmp_path):
    """The map must hold what was parsed: a different file on disk keeps the bytes."""
    src = fonts.font_path(False)
    copy = tmp_path / "f.ttf"
    copy.write_bytes(src.read_bytes())
    face = ttfonts.TTFont("changed", str(copy)).face
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    compact_face(face, copy)
    assert isinstance(face._ttf_data, bytes)


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
