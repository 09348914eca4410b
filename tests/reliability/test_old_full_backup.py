"""A full backup in the first format (manifest.json, before full backups became BagIt bags) still restores.

tests/fixtures/backup/tisheng-full-T2001-20261206-185702 was written by the release that
made that format (commit 7f8b734): 测试小学 with five teachers, four stored files (two
evidence files, a plan document, an activity photo) and the school key. Schools keep such
folders on USB sticks for years; each one must restore as it is, and as the zip a teacher
may have made of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from app.services import keys
from app.services.teachers import list_teachers
from app.services.workspace import Workspace

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "backup" / "tisheng-full-T2001-20261206-185702"
FINGERPRINT = "7586-7BB4-325E-E827-53FA-957D-5F5A-7ED1"


def _restore(data: Path, source: Path):
    from app.services.backup.restore import restore
    return restore(data, source)


def _zip_of(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"{folder.name}/{p.relative_to(folder).as_posix()}")
    return dest


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_an_old_format_full_backup_restores_into_a_new_folder(tmp_path, as_zip):
    source = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, source)                   # the fixture itself is never touched
    assert json.loads((source / "manifest.json").read_text(encoding="utf-8"))["format"] == "tisheng-full-backup"
    if as_zip:
        source = _zip_of(source, tmp_path / "old-full.zip")
    result = _restore(tmp_path / "data", source)
    assert result.school == "测试小学" and result.teachers == 5 and result.key_restored
    assert result.evidence_copied == 4 and result.missing == ()
    with Workspace.open(tmp_path / "data") as ws:
        assert sorted(t.name for t in list_teachers(ws)) == sorted(["王芳", "李明", "张伟", "赵敏", "刘洋"])
        assert keys.school_key(ws).fingerprint == FINGERPRINT
        stored = sorted(ws.store.all_hashes())
        assert len(stored) == 4
        for sha in stored:
            assert hashlib.sha256(ws.store.path_for(sha).read_bytes()).hexdigest() == sha


def test_an_old_format_full_backup_with_a_changed_file_is_refused(tmp_path):
    from app.services.backup.source import BackupRejected
    source = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, source)
    photo = next((source / "store").rglob("*"))
    while photo.is_dir():
        photo = next(photo.iterdir())
    data = bytearray(photo.read_bytes())
    data[0] ^= 1
    photo.write_bytes(bytes(data))
    with pytest.raises(BackupRejected):
        _restore(tmp_path / "data", source)
    assert not (tmp_path / "data" / "store").exists() or not any((tmp_path / "data" / "store").rglob("??/*"))
