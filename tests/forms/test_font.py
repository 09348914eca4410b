"""The shipped font: TrueType outlines, the coverage names need, the licence beside it."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from app.resources import resource_path
from app.services.forms import fonts

FONT_DIR = resource_path("fonts")


@pytest.fixture(scope="module", params=[False, True], ids=["regular", "bold"])
def face(request):
    return TTFont(str(fonts.font_path(request.param)), lazy=True)


def test_truetype_outlines_not_cff(face):
    assert "glyf" in face and "loca" in face
    assert "CFF " not in face and "VORG" not in face
    assert face.sfntVersion == "\x00\x01\x00\x00"
    assert face["maxp"].tableVersion == 0x00010000
    assert face["post"].formatType == 2.0


def test_family_is_renamed_and_embeddable(face):
    assert face["name"].getDebugName(1) == fonts.FAMILY
    assert "Noto" not in face["name"].getDebugName(4)
    assert face["OS/2"].fsType == 0  # installable embedding


def test_covers_gb2312_and_rare_name_characters(face):
    cmap = face.getBestCmap()
    gb2312 = [c for c in range(0x80, 0x10000) if _encodes(c, "gb2312")]
    assert not [chr(c) for c in gb2312 if c not in cmap]
    for ch in "欧阳司马诸葛䶮𠮷喆堃昇犇淼赟玥珺鑫燚（）：；、。“”《》①℃№":
        assert ord(ch) in cmap, ch


def _encodes(cp: int, enc: str) -> bool:
    try:
        chr(cp).encode(enc)
        return True
    except UnicodeEncodeError:
        return False


def test_licence_and_readme_ship_beside_the_font():
    ofl = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "Adobe" in ofl
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in readme and "OFL" in readme


def test_total_size_stays_reasonable():
    total = sum(p.stat().st_size for p in FONT_DIR.glob("*.ttf"))
    assert total < 25 * 1024 * 1024


def test_missing_chars_reports_only_what_the_font_lacks():
    assert fonts.missing_chars("司马𠮷䶮，王芳") == []
    assert fonts.missing_chars("张\U000e0100\ue000三\ue000") == ["\U000e0100", "\ue000"]
    assert fonts.placeholder("\ue000") == "[U+E000]"


def test_font_paths_for_qt():
    paths = fonts.font_paths()
    assert len(paths) == 2 and all(p.exists() and p.suffix == ".ttf" for p in paths)
