"""fsck: every evidence file present and intact, orphans listed and removable, files found again
in a full backup (issue 8, part 3)."""

from __future__ import annotations

import json
import shutil

from app.cli.main import main
from app.services.backup import manual
from app.services.fsck import fsck
from app.services.store import blob_relpath
from tests.reliability.helpers import evidence_problems, referenced_hashes


def _store_file(ws, sha):
    return ws.store.path_for(sha)


def test_a_clean_folder_passes(school_ws):
    report = fsck(school_ws)
    assert report.ok and report.files_checked == 8 and report.problems == []
    assert report.lines()[-1].startswith("一切正常")


def test_missing_and_corrupt_files_are_named_with_their_records(school_ws):
    shas = sorted(referenced_hashes(school_ws.paths.database))
    gone, bad = shas[0], shas[1]
    _store_file(school_ws, gone).unlink()
    data = bytearray(_store_file(school_ws, bad).read_bytes())
    data[3] ^= 0x10
    _store_file(school_ws, bad).write_bytes(bytes(data))
    report = fsck(school_ws)
    assert not report.ok
    kinds = {p.sha256: p for p in report.problems}
    assert kinds[gone].kind == "missing" and kinds[gone].records
    assert kinds[bad].kind == "corrupt" and kinds[bad].fixed == "set-aside"
    assert (school_ws.paths.store / "damaged").is_dir()            # kept, never deleted
    assert any(bytes(data) == p.read_bytes() for p in (school_ws.paths.store / "damaged").iterdir())
    text = "\n".join(report.lines())
    assert "缺失" in text and "已损坏" in text and "--" not in text           # the window shows these lines too
    assert any("--from-backup" in h for h in report.cli_hints())                # what to type, for the CLI only
    assert any(r.startswith(("教师", "方案文档", "培训活动")) for r in kinds[gone].records)


def test_quick_mode_checks_presence_only(school_ws):
    sha = sorted(referenced_hashes(school_ws.paths.database))[0]
    _store_file(school_ws, sha).write_bytes(b"changed")
    assert fsck(school_ws, verify_hashes=False).ok
    assert not fsck(school_ws).ok


def test_missing_files_come_back_from_a_full_backup(school_ws, tmp_path):
    full = manual.make_backup(school_ws, tmp_path / "usb", full=True).path
    shas = sorted(referenced_hashes(school_ws.paths.database))
    for sha in shas[:3]:
        _store_file(school_ws, sha).unlink()
    zipped = shutil.make_archive(str(tmp_path / "备份"), "zip", full.parent, full.name)
    report = fsck(school_ws, from_backup=zipped)
    assert report.ok and sorted(p.sha256 for p in report.problems if p.fixed == "restored") == shas[:3]
    assert evidence_problems(school_ws.paths.root) == []


def test_a_damaged_copy_in_the_backup_is_not_used(school_ws, tmp_path):
    full = manual.make_backup(school_ws, tmp_path / "usb", full=True).path
    sha = sorted(referenced_hashes(school_ws.paths.database))[0]
    _store_file(school_ws, sha).unlink()
    in_backup = full / "data" / "store" / blob_relpath(sha)
    in_backup.write_bytes(b"x" * in_backup.stat().st_size)          # same size, wrong content
    report = fsck(school_ws, from_backup=full)
    assert not report.ok and report.unresolved[0].sha256 == sha
    assert not _store_file(school_ws, sha).exists()


def test_orphans_are_listed_then_removed_on_request(school_ws, tmp_path):
    stray = school_ws.store.add_bytes(b"nobody uses me")
    (school_ws.paths.store / "incoming").mkdir(exist_ok=True)
    leftover = school_ws.paths.store / "incoming" / "abc.part"
    leftover.write_bytes(b"half a file")
    report = fsck(school_ws)
    assert report.ok and {p.kind for p in report.orphans} == {"orphan", "leftover"}
    assert school_ws.store.has(stray.sha256)
    report = fsck(school_ws, remove_orphans=True)
    assert all(p.fixed == "removed" for p in report.orphans)
    assert not school_ws.store.has(stray.sha256) and not leftover.exists()
    assert fsck(school_ws).problems == [] and evidence_problems(school_ws.paths.root) == []


def test_cli_fsck_json_and_exit_codes(school_dir, tmp_path, capsys):
    assert main(["fsck", "--data-dir", str(school_dir), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["files_checked"] == 8
    sha = next(iter(referenced_hashes(school_dir / "tisheng.sqlite3")))
    (school_dir / "store" / sha[:2] / sha[2:4] / sha).unlink()
    assert main(["fsck", "--data-dir", str(school_dir)]) == 1
    text = capsys.readouterr().out
    assert "缺失" in text and sha[:16] in text
