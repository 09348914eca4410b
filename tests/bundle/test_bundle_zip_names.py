"""A zipped bag is read exactly as the district's tools extract it, or refused (issue 19 item 1).

The outside run's case: a real sealed bag zipped without the UTF-8 flag, whose two evidence entries
carry Info-ZIP Unicode Path fields (0x7075) naming each other. `unzip` and 7-Zip extract the two
files swapped, Python's zipfile ignores the field; `verify` said ✔ all the same.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.services.bundle.export import export_bundle
from app.services.bundle.verify import format_report, verify_path
from tests.safezip.zips import RawNameInfo, patch_local_name, unicode_path


@pytest.fixture
def folder_bag(school, usb, plugins):
    ws, _ = school
    return export_bundle(ws, usb, plugins=plugins).path


def _zip_bag(bag: Path, dest: Path, extra_for=None, more=()) -> Path:
    """The bag as Chinese Windows zips it (GBK names, no flag); extra_for(rel) adds extra fields,
    `more` adds (name, bytes) entries."""
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in more:
            zf.writestr(name, data)
        for p in sorted(bag.rglob("*")):
            if p.is_file():
                rel = p.relative_to(bag).as_posix()
                raw = f"{bag.name}/{rel}".encode("gb18030")
                info = RawNameInfo(raw, date_time=(2026, 11, 23, 10, 0, 0))
                if extra_for is not None:
                    info.extra = extra_for(rel, raw)
                zf.writestr(info, p.read_bytes())
    return dest


def _two_evidence(bag: Path) -> tuple[str, str]:
    files = sorted(p.relative_to(bag).as_posix() for p in (bag / "data" / "证据").rglob("*.docx")
                   if p.stat().st_size != (bag / "data" / "证据").stat().st_size)
    a, b = files[0], files[1]
    assert (bag / a).read_bytes() != (bag / b).read_bytes()
    return a, b


def test_unicode_path_fields_that_swap_two_entries_are_refused(folder_bag, tmp_path):
    a, b = _two_evidence(folder_bag)
    swap = {a: b, b: a}

    def extra(rel, raw):
        if rel in swap:                    # a valid field (right CRC) that names the other file
            return unicode_path(f"{folder_bag.name}/{swap[rel]}", raw)
        return b""

    z = _zip_bag(folder_bag, tmp_path / f"{folder_bag.name}.zip", extra)
    if shutil.which("unzip"):              # the premise: unzip really extracts them swapped
        out = tmp_path / "unzipped"
        subprocess.run(["unzip", "-q", str(z), "-d", str(out)], check=True)
        assert (out / folder_bag.name / a).read_bytes() == (folder_bag / b).read_bytes()
        assert not verify_path(out / folder_bag.name).ok
    report = verify_path(z)
    text = format_report(report)
    assert not report.ok, text
    assert "Unicode Path" in text and "不一致" in text and "未解压任何文件" in text
    assert a in text or b in text


def test_a_unicode_path_field_whose_crc_does_not_match_is_refused(folder_bag, tmp_path):
    a, _ = _two_evidence(folder_bag)
    z = _zip_bag(folder_bag, tmp_path / f"{folder_bag.name}.zip",
                 lambda rel, raw: unicode_path(f"{folder_bag.name}/{rel}", raw + b"x") if rel == a else b"")
    report = verify_path(z)
    assert not report.ok and "校验值与文件名不符" in format_report(report)


def test_honest_unicode_path_fields_are_accepted(folder_bag, tmp_path):
    """Info-ZIP and WinRAR write the ANSI name plus a matching field: that is fine."""
    z = _zip_bag(folder_bag, tmp_path / f"{folder_bag.name}.zip",
                 lambda rel, raw: unicode_path(f"{folder_bag.name}/{rel}", raw))
    report = verify_path(z)
    assert report.ok, format_report(report)


def test_local_header_name_that_differs_from_the_directory_is_refused(folder_bag, tmp_path):
    """A streaming extractor reads the local header: it must say what the directory says."""
    a, b = _two_evidence(folder_bag)
    z = _zip_bag(folder_bag, tmp_path / f"{folder_bag.name}.zip")
    raw_a = f"{folder_bag.name}/{a}".encode("gb18030")
    patch_local_name(z, raw_a, raw_a[:-6] + b"X" + raw_a[-5:])
    report = verify_path(z)
    assert not report.ok and "本地文件头中的文件名" in format_report(report)


def test_names_that_collide_once_windows_reads_them_are_refused(folder_bag, tmp_path):
    """One entry flagged UTF-8, a second with the same name in GBK bytes and a trailing dot:
    Windows writes both to one file, so which content wins depends on the tool."""
    a, _ = _two_evidence(folder_bag)
    z = _zip_bag(folder_bag, tmp_path / f"{folder_bag.name}.zip", more=[(f"{folder_bag.name}/{a}.", b"other content")])
    report = verify_path(z)
    assert not report.ok and "同一个文件" in format_report(report)
