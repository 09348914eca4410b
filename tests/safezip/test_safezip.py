"""The one safe zip reader: each name differential refused, honest archives read (issue 19 item 1,
issue 15 item 5). The same checks reach full backups and workbooks because both open through it."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from app.services.safezip import SafeZip, ZipDamaged, ZipRefused
from tests.safezip.zips import RawNameInfo, patch_local_name, unicode_path, write_zip


def _details(exc) -> str:
    return exc.value.user_message + " " + " ".join(exc.value.details)


def test_an_honest_archive_is_read(tmp_path):
    z = write_zip(tmp_path / "ok.zip", [("a/教案.docx", b"1"), ("a/", b""), ("b.txt", b"22")])
    with SafeZip(z) as sz:
        assert [e.name for e in sz.files()] == ["a/教案.docx", "b.txt"]
        assert sz.read(sz.get("b.txt"), 10) == b"22"


def test_gbk_names_are_read_as_gbk_and_a_matching_unicode_field_is_fine(tmp_path):
    raw = "证据/教案.docx".encode("gbk")
    info = RawNameInfo(raw)
    info.extra = unicode_path("证据/教案.docx", raw)
    with SafeZip(write_zip(tmp_path / "gbk.zip", [(info, b"x")])) as sz:
        assert [e.name for e in sz.files()] == ["证据/教案.docx"]


def test_a_unicode_field_settles_gbk_bytes_that_are_also_valid_utf8(tmp_path):
    raw = "卢隆.txt".encode("gbk")                 # also decodes as (other) UTF-8 text
    assert raw.decode("utf-8") != "卢隆.txt"
    info = RawNameInfo(raw)
    info.extra = unicode_path("卢隆.txt", raw)
    with SafeZip(write_zip(tmp_path / "trap.zip", [(info, b"x")])) as sz:
        assert [e.name for e in sz.files()] == ["卢隆.txt"]


@pytest.mark.parametrize("field_name,crc_of,words", [
    ("b.txt", b"a.txt", "与文件名不一致"),          # names another entry: unzip extracts a.txt as b.txt
    ("a.txt", b"other", "校验值与文件名不符"),       # stale field: tools disagree whether to use it
    ("../../evil.txt", b"a.txt", "与文件名不一致"),  # an escape hidden in the field
])
def test_unicode_path_fields_that_disagree_are_refused(tmp_path, field_name, crc_of, words):
    info = zipfile.ZipInfo("a.txt")
    info.extra = unicode_path(field_name, crc_of)
    z = write_zip(tmp_path / "u.zip", [(info, b"A"), ("b.txt", b"B")])
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert words in _details(exc) and "未解压任何文件" in _details(exc)


def test_a_field_only_in_the_local_header_counts_too(tmp_path):
    z = write_zip(tmp_path / "l.zip", [("a.txt", b"A"), ("b.txt", b"B")])
    data = bytearray(z.read_bytes())          # grow the local extra of a.txt by a field naming b.txt
    field = unicode_path("b.txt", b"a.txt")
    n = struct.unpack_from("<H", data, 26)[0]
    struct.pack_into("<H", data, 28, len(field))
    data[30 + n:30 + n] = field
    z.write_bytes(_shift_offsets(bytes(data), after=0, by=len(field)))
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "与文件名不一致" in _details(exc)


def _shift_offsets(data: bytes, after: int, by: int) -> bytes:
    """Fix the central directory after inserting `by` bytes into the first local header."""
    b = bytearray(data)
    eocd = b.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<L", b, eocd + 16)[0] + by
    struct.pack_into("<L", b, eocd + 16, cd)
    at = cd
    while b[at:at + 4] == b"PK\x01\x02":
        off = struct.unpack_from("<L", b, at + 42)[0]
        if off > after:
            struct.pack_into("<L", b, at + 42, off + by)
        n, e, c = struct.unpack_from("<3H", b, at + 28)
        at += 46 + n + e + c
    return bytes(b)


def test_local_header_that_disagrees_with_the_directory_is_refused(tmp_path):
    z = write_zip(tmp_path / "h.zip", [("data/a.txt", b"A"), ("data/b.txt", b"B")])
    patch_local_name(z, b"data/a.txt", b"data/b.txt")     # a streaming unzip would write b.txt twice
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "本地文件头中的文件名" in _details(exc)


def test_local_header_sizes_that_disagree_are_refused(tmp_path):
    z = write_zip(tmp_path / "s.zip", [("a.txt", b"AAAA")])
    data = bytearray(z.read_bytes())
    struct.pack_into("<L", data, 22, 3)                   # uncompressed size in the local header
    z.write_bytes(bytes(data))
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "大小或校验值" in _details(exc)


@pytest.mark.parametrize("first,second", [
    ("data/A.txt", "data/a.txt"),                         # case
    ("data/a.txt", "data/a.txt."),                        # trailing dot
    ("data/a.txt", "data/a.txt "),                        # trailing space
    ("data/é.txt", "data/e\u0301.txt"),                   # NFC / NFD
    ("data/x", "data/X/y.txt"),                           # a file beside a folder of the same name
    ("data\\a.txt", "data/a.txt"),                        # either slash
])
def test_names_that_windows_stores_as_one_file_are_refused(tmp_path, first, second):
    z = write_zip(tmp_path / "d.zip", [(first, b"1"), (second, b"2")])
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "同一个文件" in _details(exc) or "同名的文件夹" in _details(exc)


def test_names_equal_only_in_another_encoding_are_refused(tmp_path):
    """One entry's GBK bytes read as GBK equal another entry's UTF-8 name: Explorer on a Chinese
    PC and a UTF-8 tool would each put a different content under 报告.docx."""
    name = "报告.docx"
    z = write_zip(tmp_path / "enc.zip", [(name, b"utf8 flagged"), (RawNameInfo(name.encode("gbk")), b"gbk")])
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "同一个文件" in _details(exc)


def test_overlapping_entries_are_refused(tmp_path):
    """Two directory entries sharing data (the overlapping zip bomb) are refused up front."""
    z = write_zip(tmp_path / "o.zip", [("a.bin", b"A" * 100), ("b.bin", b"B" * 100)])
    data = bytearray(z.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<L", data, eocd + 16)[0]
    for at in (6, ):                                       # data descriptor flag on a.bin, local …
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 0x08)
    struct.pack_into("<H", data, cd + 8, struct.unpack_from("<H", data, cd + 8)[0] | 0x08)   # … and central
    struct.pack_into("<L", data, cd + 20, 200)             # a.bin's data now runs over b.bin's header
    struct.pack_into("<L", data, cd + 24, 200)
    z.write_bytes(bytes(data))
    with pytest.raises(ZipRefused) as exc:
        SafeZip(z)
    assert "重叠" in _details(exc)


@pytest.mark.parametrize("name", ["../x.txt", "/etc/x", "C:/x.txt", "a/../../x", "a:b.txt", "a\x1b[2Jb.txt"])
def test_escaping_or_hostile_names_are_refused(tmp_path, name):
    z = write_zip(tmp_path / "e.zip", [(name, b"x")])
    with pytest.raises(ZipRefused):
        SafeZip(z)


def test_a_name_flagged_utf8_that_is_not_is_refused(tmp_path):
    info = RawNameInfo("报告.docx".encode("gbk"))
    z = write_zip(tmp_path / "f.zip", [(info, b"x")])
    data = bytearray(z.read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        struct.pack_into("<H", data, at + off, struct.unpack_from("<H", data, at + off)[0] | 0x800)
    z.write_bytes(bytes(data))
    with pytest.raises((ZipRefused, ZipDamaged)):
        SafeZip(z)


def test_not_a_zip_and_a_cut_zip_are_damaged(tmp_path):
    (tmp_path / "n.zip").write_bytes(b"not a zip at all")
    with pytest.raises(ZipDamaged):
        SafeZip(tmp_path / "n.zip")
    z = write_zip(tmp_path / "c.zip", [("a.txt", b"A" * 1000)])
    z.write_bytes(z.read_bytes()[:-30])
    with pytest.raises(ZipDamaged):
        SafeZip(z)


def test_backups_and_workbooks_get_the_same_checks(tmp_path):
    """A full-backup zip and an .xlsx with a swapping Unicode Path field are refused by restore and
    by import, with their own messages, before anything is read."""
    from app.services.backup.source import BackupRejected, open_backup_source
    from app.services.excel.readers import open_source
    from app.services.excel.safety import FileRejected
    swap = zipfile.ZipInfo("tisheng-full-x/tisheng.sqlite3")
    swap.extra = unicode_path("tisheng-full-x/manifest.json", b"tisheng-full-x/tisheng.sqlite3")
    z = write_zip(tmp_path / "backup.zip", [("tisheng-full-x/manifest.json", b"{}"), (swap, b"db")])
    with pytest.raises(BackupRejected) as exc:
        open_backup_source(z)
    assert "不安全的条目" in _details(exc) and "Unicode Path" in _details(exc)

    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["姓名", "身份证号"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                info.extra = unicode_path("xl/styles.xml", info.filename.encode())
            zout.writestr(info, data)
    x = tmp_path / "名单.xlsx"
    x.write_bytes(out.getvalue())
    with pytest.raises(FileRejected) as exc:
        open_source(x)
    assert "名单.xlsx" in _details(exc) and "不安全的条目" in _details(exc)


def test_a_member_damaged_inside_is_reported_as_damage(tmp_path):
    z = write_zip(tmp_path / "crc.zip", [("a.txt", b"A" * 100)])
    data = bytearray(z.read_bytes())
    data[40] ^= 0xFF                                        # a byte of a.txt's stored data
    z.write_bytes(bytes(data))
    with SafeZip(z) as sz:
        with pytest.raises(ZipDamaged, match="已损坏"):
            sz.read(sz.get("a.txt"), 1000)


def test_read_is_bounded(tmp_path):
    z = write_zip(tmp_path / "big.zip", [("a.txt", b"A" * 1000)])
    with SafeZip(z) as sz, pytest.raises(ZipRefused, match="超过上限"):
        sz.read(sz.get("a.txt"), 999)
    assert Path(z).exists()
