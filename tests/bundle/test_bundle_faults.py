"""A failure, a cancel or a kill at any export step leaves no final-named bag, never touches the
database, and the next export succeeds (resuming what the last one wrote intact)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.dbfile import connect_readonly
from app.errors import AppError, CancelledError, StorageError
from app.services import faults
from app.services.bundle import layout as L
from app.services.bundle.bag_writer import ReadbackError
from app.services.bundle.export import FAULT_POINTS, ExportOptions, export_bundle
from app.services.bundle.verify import verify_path
from app.services.progress import Progress

from .conftest import bagit_valid, minisign_ok

ROOT = Path(__file__).resolve().parents[2]


def _db_dump(ws) -> list[str]:
    con = connect_readonly(ws.paths.database)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _final_names(usb: Path) -> list[str]:
    return [p.name for p in usb.iterdir() if not p.name.endswith(L.PARTIAL)]


@pytest.fixture(autouse=True)
def _no_faults():
    faults.clear()
    yield
    faults.clear()


def _raise_eio():
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("point", FAULT_POINTS)
def test_failure_at_every_step(school, usb, plugins, point, as_zip):
    ws, _ = school
    before = _db_dump(ws)
    faults.inject(point, _raise_eio)
    with pytest.raises((AppError, OSError)) as err:
        export_bundle(ws, usb, ExportOptions(as_zip=as_zip), plugins=plugins)
    if isinstance(err.value, StorageError):
        assert "出错" in err.value.user_message
    assert _final_names(usb) == []
    assert _db_dump(ws) == before
    assert not any((ws.paths.tmp).glob("export-*"))
    faults.clear()
    result = export_bundle(ws, usb, ExportOptions(as_zip=as_zip), plugins=plugins)
    assert _final_names(usb) == [result.path.name]
    assert not [p for p in usb.iterdir() if p.name.endswith(L.PARTIAL)]
    report = verify_path(result.path)
    assert report.ok, report.errors
    if not as_zip:
        assert bagit_valid(result.path)[0] and minisign_ok(result.path)[0]


@pytest.mark.parametrize("after_reports", [1, 5, 40])
def test_cancel_leaves_nothing(school, usb, plugins, after_reports):
    ws, _ = school
    before = _db_dump(ws)
    seen = []
    progress = Progress(lambda d, t, s: seen.append(s) or (len(seen) >= after_reports and progress.cancel()),
                        min_interval=0)
    with pytest.raises(CancelledError):
        export_bundle(ws, usb, progress=progress, plugins=plugins)
    assert list(usb.iterdir()) == []
    assert _db_dump(ws) == before
    assert verify_path(export_bundle(ws, usb, plugins=plugins).path).ok


def test_stick_that_loses_data_is_caught_by_read_back(school, usb, plugins):
    """A fake-capacity stick silently overwrites early files; the full read-back finds them."""
    ws, _ = school

    def corrupt():
        partial = next(usb.glob("*.partial"))
        victim = sorted((partial / "data" / "证据").rglob("*.docx"))[0]
        data = bytearray(victim.read_bytes())
        data[0] ^= 0xFF
        victim.write_bytes(bytes(data))
        corrupt.victim = victim.relative_to(partial).as_posix()

    faults.inject("export.tagmanifest", corrupt)
    with pytest.raises(ReadbackError) as err:
        export_bundle(ws, usb, plugins=plugins)
    assert any(corrupt.victim in d for d in err.value.details)
    assert list(usb.iterdir()) == []


def test_disk_full_midway_is_a_clear_message(school, usb, plugins):
    ws, _ = school
    calls = {"n": 0}

    def full():
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")

    faults.inject("export.payload", full)
    with pytest.raises(StorageError, match="磁盘空间不足"):
        export_bundle(ws, usb, plugins=plugins)
    assert _final_names(usb) == []


def _kill_export(data_dir: Path, usb: Path, point: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from app.services.workspace import Workspace
        from app.services.bundle.export import export_bundle, Plugins
        ws = Workspace.open({str(data_dir)!r})
        export_bundle(ws, {str(usb)!r}, plugins=Plugins())
        print("finished")
    """)
    env = dict(os.environ, TISHENG_FAULT=point)
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["export.payload", "export.readback", "export.signature"])
def test_killed_export_leaves_partial_and_next_export_resumes(school, usb, plugins, point):
    ws, _ = school
    before = _db_dump(ws)
    r = _kill_export(ws.paths.root, usb, point)
    assert r.returncode == -signal.SIGKILL, r.stdout + r.stderr
    assert "finished" not in r.stdout
    assert _final_names(usb) == []
    partials = list(usb.glob("*.partial"))
    assert len(partials) == 1
    stale = verify_path(partials[0])
    assert not stale.ok and stale.unfinished
    assert _db_dump(ws) == before
    result = export_bundle(ws, usb, plugins=plugins)
    assert result.reused_files >= 1
    assert [p.name for p in usb.iterdir()] == [result.path.name]
    assert verify_path(result.path).ok
    assert bagit_valid(result.path)[0] and minisign_ok(result.path)[0]
    assert (result.path / L.FORMS_PDF).exists()      # tag files of the killed run were replaced


@pytest.mark.slow
def test_stale_partial_with_damaged_file_is_rewritten(school, usb, plugins):
    ws, _ = school
    r = _kill_export(ws.paths.root, usb, "export.readback")
    assert r.returncode == -signal.SIGKILL
    partial = next(usb.glob("*.partial"))
    victim = sorted((partial / "data" / "证据").rglob("*.docx"))[0]
    victim.write_bytes(b"X" * victim.stat().st_size)          # same size, wrong content (torn write)
    (partial / "data" / "残留.tmp").write_bytes(b"junk")
    result = export_bundle(ws, usb, plugins=plugins)
    assert verify_path(result.path).ok and bagit_valid(result.path)[0]
    assert not (result.path / "data" / "残留.tmp").exists()
