"""Windows-safe names: the table from the reliability report, and properties for any input."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.bundle import layout as L
from app.services.bundle.safe_names import (FORBIDDEN, MAX_BAG_PATH, MAX_COMPONENT, Folder, check_bag_path,
                                            clean_component, fold, is_reserved, truncate_graphemes, utf16_len)


@pytest.mark.parametrize("raw,expected", [
    ("CON.docx", "_CON.docx"), ("nul.txt", "_nul.txt"), ("COM1", "_COM1"), ("aux.tar.gz", "_aux.tar.gz"),
    ("LPT¹.jpg", "_LPT¹.jpg"), ("com0.txt", "_com0.txt"), ("CONSOLE.txt", "CONSOLE.txt"),
    ("作业:第1次?.docx", "作业_第1次_.docx"), ("a<b>.jpg", "a_b_.jpg"), ("报告|终稿.pdf", "报告_终稿.pdf"),
    ("结尾点.", "结尾点"), ("结尾空格 ", "结尾空格"), ("  前导空格.doc", "前导空格.doc"),
    ("100%完成.docx", "100_完成.docx"), ("a\nb.txt", "a_b.txt"), ("a\rb\x7f.txt", "a_b_.txt"),
    ("报告\u202excod.exe", "报告_xcod.exe"), ("", "未命名"), ("...", "未命名"), ("..", "未命名"), ("a/b\\c", "a_b_c"),
])
def test_table(raw, expected):
    assert clean_component(raw) == expected


def test_nfd_becomes_nfc_and_collides():
    f = Folder("data/证据/x")
    a = f.claim(unicodedata.normalize("NFD", "école.pdf"))
    b = f.claim("école.pdf")
    assert a == "data/证据/x/école.pdf" and unicodedata.is_normalized("NFC", a)
    assert b == "data/证据/x/école~2.pdf"


def test_case_collisions_get_numbered():
    f = Folder("data/证据/x")
    assert [f.claim(n).rsplit("/", 1)[1] for n in ("照片.JPG", "照片.jpg", "照片.Jpg")] == \
        ["照片.JPG", "照片~2.jpg", "照片~3.Jpg"]


def test_long_names_keep_extension_and_whole_graphemes():
    name = clean_component("很长的文件名" * 20 + ".mp4")
    assert name.endswith(".mp4") and utf16_len(name) <= MAX_COMPONENT
    emoji = "👨‍👩‍👧" * 30 + ".jpg"
    cut = clean_component(emoji)
    assert utf16_len(cut) <= MAX_COMPONENT and cut.endswith(".jpg")
    assert not cut[:-4].endswith("\u200d")
    accented = ("e\u0301" * 70)
    t = truncate_graphemes(accented, 9)
    assert not unicodedata.combining(t[0]) and t.endswith("\u0301")


def test_deep_folder_leaves_short_paths():
    root = Folder("data/证据")
    teacher = Folder(root.claim_folder("T0001_" + "欧阳" * 40, limit=40))
    point = Folder(teacher.claim_folder("A1_" + "技术支持的学情分析" * 10, limit=40))
    path = point.claim("文件" * 100 + ".docx")
    assert utf16_len(path) <= MAX_BAG_PATH and path.endswith(".docx")


@pytest.mark.parametrize("path,bad", [
    ("data/a.txt", False), ("../x", True), ("data/../../x", True), ("/etc/passwd", True),
    ("C:/x", True), ("c:x", True), ("\\\\?\\C:\\x", True), ("data/a:b", True), ("data//a", True),
    ("~/x", True), ("data/./a", True), ("data/a\x00", True), ("", True),
])
def test_check_bag_path(path, bad):
    assert (check_bag_path(path) is not None) is bad


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=120), min_size=1, max_size=12))
def test_any_names_become_safe_unique_short(names):
    f = Folder("data/证据/T001_张三/A1_技术支持的学情分析")
    out = [f.claim(n) for n in names]
    assert len({fold(p) for p in out}) == len(out)
    for p in out:
        name = p.rsplit("/", 1)[1]
        assert name and unicodedata.is_normalized("NFC", name)
        assert utf16_len(p) <= MAX_BAG_PATH and utf16_len(name) <= MAX_COMPONENT
        assert not set(name) & FORBIDDEN
        assert all(ord(c) >= 32 and ord(c) != 0x7F for c in name)
        assert name == name.rstrip(" .") and not is_reserved(name)
        assert check_bag_path(p) is None
        assert L.decode_path(L.encode_path(p)) == p and L.encode_path(p) == p


def test_manifest_round_trip_with_percent_encoding():
    entries = {"data/a%b.txt": "0" * 64, "data/c\nd.txt": "1" * 64}
    parsed, problems = L.parse_manifest(L.manifest_bytes(entries), "m")
    assert parsed == entries and not problems
    assert b"%25" in L.manifest_bytes(entries) and b"%0A" in L.manifest_bytes(entries)


def test_the_unsafe_character_class_is_exactly_what_windows_names_must_not_hold():
    # safe_names replaces with one regex what it used to test character by character
    import unicodedata

    from app.services.bundle import safe_names as sn
    for cp in range(0x110000):
        ch = chr(cp)
        unsafe = (ch in sn.FORBIDDEN or cp < 32 or cp == 0x7F or ch in sn._BIDI
                  or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"))
        assert (sn._UNSAFE.fullmatch(ch) is not None) == unsafe, hex(cp)
    assert sn.utf16_len("a😀\ud800王") == 5
