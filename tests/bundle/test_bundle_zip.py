"""Zipped bags: GBK or UTF-8 names, escapes refused before anything is written, bounded reading."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from app.services.bundle.export import ExportOptions, export_bundle
from app.services.bundle.verify import format_report, verify_path
from app.services.bundle.zip_reader import UnsafeZipError, ZipBag, ZipBudgetExceeded, decode_name, safe_extract

from .conftest import bagit_valid


class GbkInfo(zipfile.ZipInfo):
    """Writes its name in GB18030 (GBK superset) without the UTF-8 flag, as Chinese Windows does."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gb18030"), self.flag_bits & ~0x800


def _zip_folder(folder: Path, dest: Path, *, gbk: bool = False) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                name = f"{folder.name}/{p.relative_to(folder).as_posix()}"
                info = (GbkInfo if gbk else zipfile.ZipInfo)(name, date_time=(2026, 11, 23, 10, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, p.read_bytes())
    return dest


@pytest.fixture
def folder_bag(school, usb, plugins):
    ws, _ = school
    return export_bundle(ws, usb, plugins=plugins).path


def _tree(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*")}


def test_zip_with_gbk_names_verifies(folder_bag, tmp_path):
    z = _zip_folder(folder_bag, tmp_path / f"{folder_bag.name}.zip", gbk=True)
    with zipfile.ZipFile(z) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
        assert any("证据" not in i.filename and "/" in i.filename for i in zf.infolist())
    report = verify_path(z)
    assert report.ok, format_report(report)
    assert report.kind == "zip" and report.info["teacher_count"] == 40


def test_zip_with_utf8_names_and_no_top_folder(folder_bag, tmp_path):
    z = tmp_path / f"{folder_bag.name}.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(folder_bag.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder_bag).as_posix())
    assert verify_path(z).ok


def test_tampered_zip_names_the_file(folder_bag, tmp_path):
    target = sorted((folder_bag / "data" / "证据").rglob("*.docx"))[0]
    rel = target.relative_to(folder_bag).as_posix()
    target.write_bytes(target.read_bytes() + b"!")
    report = verify_path(_zip_folder(folder_bag, tmp_path / "t.zip"))
    assert not report.ok and report.altered == [rel]


def _evil_zip(path: Path, evil_name: str, *, link: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        info = zipfile.ZipInfo(evil_name)
        if link:
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd" if link else "pwned")
    return path


@pytest.mark.parametrize("evil", ["../evil.txt", "bag/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt",
                                  "..\\..\\evil.txt", "bag/data/a:stream.txt", "\\\\?\\C:\\evil.txt"])
def test_escaping_entries_refused_before_anything_is_written(tmp_path, evil):
    work = tmp_path / "work"
    work.mkdir()
    z = _evil_zip(tmp_path / "evil.zip", evil)
    before = _tree(tmp_path)
    report = verify_path(z)
    assert not report.ok
    assert "不安全的条目" in format_report(report) and "未解压任何文件" in format_report(report)
    with pytest.raises(UnsafeZipError) as err:
        safe_extract(z, work / "out")
    assert evil.replace("\\", "/") in " ".join(err.value.details)
    assert _tree(tmp_path) == before                      # nothing written, not even the target folder
    assert not any(p.name == "evil.txt" for p in Path("/tmp").glob("evil.txt"))


def test_link_entry_refused(tmp_path):
    z = _evil_zip(tmp_path / "link.zip", "bag/data/passwd", link=True)
    with pytest.raises(UnsafeZipError) as err:
        ZipBag(z)
    assert "链接" in " ".join(err.value.details)
    assert not verify_path(z).ok


def test_duplicate_names_refused(tmp_path):
    z = tmp_path / "dup.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("bag/bagit.txt", "x")
        zf.writestr("bag/data/A.txt", "1")
        zf.writestr("bag/data/a.txt", "2")
    with pytest.raises(UnsafeZipError):
        ZipBag(z)


def test_safe_extract_stays_inside_and_obeys_budget(folder_bag, tmp_path):
    z = _zip_folder(folder_bag, tmp_path / "ok.zip")
    out = tmp_path / "out"
    files = safe_extract(z, out)
    assert all(os.path.commonpath([str(out.resolve()), str(p)]) == str(out.resolve()) for p in files.values())
    assert bagit_valid(out)[0]
    with pytest.raises(ZipBudgetExceeded):
        safe_extract(z, tmp_path / "small", limit=1000)


def test_zip_bomb_stops_far_beyond_manifest_size(folder_bag, tmp_path):
    z = _zip_folder(folder_bag, tmp_path / "bomb.zip")
    with zipfile.ZipFile(z, "a", zipfile.ZIP_DEFLATED) as zf:
        bomb = zipfile.ZipInfo(f"{folder_bag.name}/data/炸弹.bin")
        bomb.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(bomb, "w", force_zip64=True) as w:
            block = bytes(1024 * 1024)
            for _ in range(400):
                w.write(block)
    assert z.stat().st_size < 10 * 1024 * 1024
    report = verify_path(z)
    assert not report.ok
    assert "远超" in format_report(report)
    assert report.bytes_checked < 300 * 1024 * 1024


def test_partial_zip_is_unfinished(school, usb, plugins, tmp_path):
    ws, _ = school
    z = export_bundle(ws, usb, ExportOptions(as_zip=True), plugins=plugins).path
    p = tmp_path / (z.name + ".partial")
    shutil.copyfile(z, p)
    report = verify_path(p)
    assert not report.ok and report.unfinished


def test_decode_name_fallbacks():
    gbk = zipfile.ZipInfo("x")
    gbk.filename = "教师名单.xlsx".encode("gbk").decode("cp437")
    assert decode_name(gbk) == "教师名单.xlsx"
    utf = zipfile.ZipInfo("x")
    utf.filename = "教师名单.xlsx".encode("utf-8").decode("cp437")
    assert decode_name(utf) == "教师名单.xlsx"
