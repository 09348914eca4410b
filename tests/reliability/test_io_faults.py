"""I/O faults from the file layer: disk full, permission denied, read-only medium, a pulled stick,
a file vanishing. Each gives a Chinese message naming the file and the cause, leaves nothing
half-done, and a retry succeeds once the cause is gone (issue 8, part 5; reference §7.4 T3)."""

from __future__ import annotations

import builtins
import errno
import os
from pathlib import Path

import pytest

from app.errors import AppError
from app.services import evidence
from app.services.backup import automatic, manual, retention
from app.services.backup import restore as restoring
from app.services.fsck import fsck
from app.services.workspace import Workspace
from tests.reliability.helpers import db_signature, evidence_problems, referenced_hashes, write_file

CAUSES = {errno.ENOSPC: "磁盘空间不足", errno.EACCES: "没有写入权限", errno.EROFS: "只读",
          errno.EIO: "读写设备出错", errno.ENOENT: "不存在"}


class FileLayer:
    """Raise OSError(code) from open()/os.open()/os.replace() for paths under `under`, after `after`
    good calls (os.open: the bag writer copies evidence into a descriptor with sendfile)."""

    def __init__(self, monkeypatch, code: int, under: Path, after: int = 0, reads: bool = False) -> None:
        self.code, self.under, self.after, self.reads = code, str(under), after, reads
        self.calls = 0
        self.tripped = False
        self._mp = monkeypatch
        real_open, real_os_open, real_replace = builtins.open, os.open, os.replace

        def _hit(path) -> None:
            if not os.fspath(path).startswith(self.under):
                return
            self.calls += 1
            if self.calls > self.after:
                self.tripped = True
                raise OSError(self.code, os.strerror(self.code), os.fspath(path))

        def fake_open(file, mode="r", *a, **k):
            if isinstance(file, (str, os.PathLike)) and (self.reads or any(c in mode for c in "wax+")):
                _hit(file)
            return real_open(file, mode, *a, **k)

        def fake_os_open(file, flags, *a, **k):
            writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC)
            if isinstance(file, (str, os.PathLike)) and (self.reads or writes):
                _hit(file)
            return real_os_open(file, flags, *a, **k)

        def fake_replace(src, dst, *a, **k):
            _hit(dst)
            return real_replace(src, dst, *a, **k)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        monkeypatch.setattr(os, "replace", fake_replace)

    def remove(self) -> None:
        self._mp.undo()


def _state(root: Path):
    return (db_signature(root / "tisheng.sqlite3"),
            sorted(p.name for p in (root / "store").glob("??/??/*")),
            evidence_problems(root))


def _finals(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".partial"))


def _no_tmp(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if ".tmp-" in p.name or p.suffix == ".part"]


OPS = ["db-backup-to-stick", "full-backup", "auto-backup", "restore-full", "evidence-add", "fsck-from-backup"]
# how many writes succeed before the fault: the first one, and one in the middle of the operation
AFTER = {"db-backup-to-stick": (0, 2), "full-backup": (0, 6), "auto-backup": (0, 1), "restore-full": (0, 5),
         "evidence-add": (0, 1), "fsck-from-backup": (0, 3)}
CASES = [(op, code, after) for op in OPS for code in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO)
         for after in AFTER[op]] + [("restore-full", errno.EIO, -1), ("full-backup", errno.ENOENT, 1)]
RUN = {"count": 0}


@pytest.mark.parametrize("op,code,after", CASES, ids=[f"{o}-{errno.errorcode[c]}-{a}" for o, c, a in CASES])
def test_io_fault_message_nothing_half_done_and_retry(school_dir, tmp_path, monkeypatch, op, code, after):
    usb = tmp_path / "usb"
    ws = Workspace.open(school_dir)
    full = None
    if op in ("restore-full", "fsck-from-backup"):
        full = manual.make_backup(ws, tmp_path / "source", full=True).path
    if op == "fsck-from-backup":
        for sha in sorted(referenced_hashes(ws.paths.database))[:3]:
            ws.store.path_for(sha).unlink()
    src_file = write_file(tmp_path / "in", "新证据.docx", b"new evidence" * 100)
    before = _state(school_dir)
    target = {"db-backup-to-stick": usb, "full-backup": usb, "auto-backup": school_dir / "backups",
              "restore-full": tmp_path / "new", "evidence-add": school_dir / "store",
              "fsck-from-backup": school_dir / "store"}[op]
    if after == -1:                      # the source stick is pulled while it is read
        layer = FileLayer(monkeypatch, code, full, after=3, reads=True)
    else:
        layer = FileLayer(monkeypatch, code, target, after=after)

    def run():
        if op == "db-backup-to-stick":
            return manual.make_backup(ws, usb)
        if op == "full-backup":
            return manual.make_backup(ws, usb, full=True)
        if op == "auto-backup":
            return automatic.maybe_auto_backup(ws, changed=True, closing=True, wait=True).wait()
        if op == "restore-full":
            return restoring.restore(tmp_path / "new", full)
        if op == "evidence-add":
            return evidence.add_evidence(ws, "T000", "A1", "1", src_file)
        report = fsck(ws, from_backup=full)
        if not report.ok:                 # fsck reports per file instead of raising
            raise AppError("；".join(report.lines()))
        return report

    try:
        with pytest.raises(AppError) as exc:
            run()
        message = exc.value.user_message
        assert layer.tripped
        assert CAUSES[code] in message or "未处理" in message, message
        if op != "fsck-from-backup":
            assert str(target if after != -1 else full) in message or target.name in message, message
        layer.remove()
        # nothing half-done
        if op == "fsck-from-backup":
            assert _state(school_dir)[0] == before[0]
        else:
            assert _state(school_dir) == before
        assert _no_tmp(school_dir)
        if op in ("db-backup-to-stick", "full-backup"):
            assert _finals(usb) == [], _finals(usb)
            assert _no_tmp(usb) if usb.exists() else True
        if op == "auto-backup":
            assert retention.list_backups(ws) == []
        if op == "restore-full":
            new = tmp_path / "new"
            assert not (new / "tisheng.sqlite3").exists() and not list((new / "tmp").iterdir())
            assert [p for p in (new / "store").rglob("*") if p.is_file()] == []
        # the retry succeeds
        result = run()
        assert result is not None
        if op == "restore-full":
            assert db_signature(tmp_path / "new" / "tisheng.sqlite3") == before[0]
            assert evidence_problems(tmp_path / "new") == []
        if op in ("evidence-add", "fsck-from-backup"):
            assert evidence_problems(school_dir) == []
        RUN["count"] += 1
    finally:
        layer.remove()
        ws.close()


def test_evidence_source_vanishing_is_named(school_ws, tmp_path):
    before = _state(school_ws.paths.root)
    gone = tmp_path / "已删除的照片.jpg"
    with pytest.raises(AppError) as exc:
        evidence.add_evidence(school_ws, "T000", "A1", "1", gone)
    assert "已删除的照片.jpg" in exc.value.user_message
    assert _state(school_ws.paths.root) == before


def test_store_file_vanishing_during_full_backup_is_reported_not_fatal(school_ws, tmp_path):
    sha = sorted(referenced_hashes(school_ws.paths.database))[2]
    from app.services import faults

    def vanish() -> None:
        school_ws.store.path_for(sha).unlink(missing_ok=True)
    faults.inject("fullbackup.db", vanish)
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert len(r.missing) == 1 and sha[:12] in r.missing[0]


def test_count_of_io_fault_cases(request):
    print(f"\nI/O fault cases passed: {RUN['count']} of {len(CASES)}")
    if RUN["count"]:
        assert RUN["count"] == len(CASES)

