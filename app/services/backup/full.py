"""Full backups: a folder a school can carry to a new PC on a USB stick.

The database snapshot, every evidence file the snapshot refers to, the key folder and
a manifest.json with SHA-256 and sizes. It is written under `<name>.partial/`, read
back in full, and renamed last, so a pulled stick leaves a `.partial` folder that
restore refuses and the next full backup resumes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

from app import __version__
from app.errors import StorageError
from app.paths import DataPaths
from app.services import faults
from app.services.backup.snapshot import BackupFailed, BackupResult, probe_writable, snapshot_database
from app.services.blobs import referenced_blobs
from app.services.fileio import (atomic_write_bytes, copy_verified, describe_os_error, fsync_dir, os_errors,
                                 remove_tree, replace_with_retry, sha256_file)
from app.services.progress import Progress
from app.services.store import blob_relpath, is_sha256

log = logging.getLogger(__name__)

FULL_PREFIX = "tisheng-full-"
FULL_FORMAT = "tisheng-full-backup"
MANIFEST = "manifest.json"
README_NAME = "README-请先阅读.txt"


def _safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]", "", code or "")[:16]


def _school_of(db: Path) -> dict:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT name, code FROM school LIMIT 1").fetchone()
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return {}
    return {"name": row[0], "code": row[1], "schema_version": version} if row else \
        {"schema_version": version}


def _readme(name: str, school: dict, files: int, size: int) -> bytes:
    text = (f"提升工程2.0 整校推进助手：完整备份 {name}\r\n\r\n"
            f"学校：{school.get('name', '')}（{school.get('code', '')}）\r\n"
            f"内容：数据库、{files - 1} 个证据及密钥文件，共 {size / 1024 / 1024:.1f} MB。\r\n\r\n"
            "在新电脑上恢复：安装本软件后，运行\r\n"
            f"    tisheng restore <这个文件夹的路径>\r\n"
            "或在软件的“备份与恢复”中选择本文件夹。请不要修改或删除本文件夹中的任何文件；"
            "manifest.json 记录了每个文件的校验值，恢复时会逐一核对。\r\n"
            "本备份含有教师个人信息和学校签名密钥，请妥善保管U盘。\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def _check_room(dest: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(dest).free
    except OSError as exc:
        raise BackupFailed(describe_os_error(exc, dest)) from exc
    if free < needed * 1.05 + 1024 * 1024:
        raise BackupFailed(f"“{dest}”剩余空间 {free / 1024 ** 2:.0f} MB，完整备份需要约 "
                           f"{needed * 1.05 / 1024 ** 2:.0f} MB。请换一个更大的U盘或清理空间后重试。")


def write_full_backup(paths: DataPaths, dest: Path, progress: Progress) -> BackupResult:
    """Write a full backup folder under dest (the caller holds WRITE_LOCK)."""
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise BackupFailed(f"“{dest}”是文件。完整备份需要一个文件夹（例如U盘的盘符 E:\\）。")
    probe_writable(dest)
    when = datetime.now()
    staging_db = paths.tmp / f"fullbackup-{uuid.uuid4().hex[:8]}.sqlite3"
    try:
        progress.report(0, 1, "正在备份数据库…", force=True)
        snapshot_database(paths.database, staging_db, check="integrity_check")
        school = _school_of(staging_db)
        code = _safe_code(school.get("code", ""))
        base = f"{FULL_PREFIX}{code + '-' if code else ''}{when:%Y%m%d-%H%M%S}"
        name, n = base, 1
        while (dest / name).exists() or (dest / (name + ".partial")).exists():
            n += 1
            name = f"{base}-{n}"
        refs = referenced_blobs(staging_db)
        store_root = paths.store
        plan: list[tuple[str, Path, str | None]] = []   # (relative path, source, expected sha)
        missing = []
        for sha in sorted(refs):
            src = store_root / blob_relpath(sha) if is_sha256(sha) else None     # a damaged value: no path
            if src is not None and src.is_file():
                plan.append((f"store/{blob_relpath(sha)}", src, sha))
            else:
                missing.append(sha)
        if paths.keys.is_dir():
            for p in sorted(paths.keys.rglob("*")):
                if p.is_file() and ".tmp" not in p.name:
                    plan.append(("keys/" + p.relative_to(paths.keys).as_posix(), p, None))
        total = staging_db.stat().st_size + sum(p.stat().st_size for _r, p, _s in plan)
        # a stale .partial of an earlier run is resumed (its good files are kept)
        stale = sorted(dest.glob(FULL_PREFIX + "*.partial"))
        partial = dest / (name + ".partial")
        reusable = 0
        if stale:
            with os_errors(partial):
                os.replace(stale[-1], partial)
            for extra in stale[:-1]:
                remove_tree(extra)
            for rel, src, _sha in plan:
                t = partial / rel
                if t.is_file() and t.stat().st_size == src.stat().st_size:
                    reusable += t.stat().st_size
        _check_room(dest, total - reusable)
        with os_errors(partial):
            partial.mkdir(parents=True, exist_ok=True)
        entries = []
        done = 0
        work = 2 * total

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            progress.report(min(done, work - 1), work, current)

        current = "正在写入数据库…"
        db_sha, db_size = copy_verified(staging_db, partial / "tisheng.sqlite3", None, on_bytes)
        entries.append({"path": "tisheng.sqlite3", "sha256": db_sha, "size": db_size})
        faults.hit("fullbackup.db")
        for rel, src, sha in plan:
            current = f"正在写入 {rel}"
            target = partial / rel
            if sha is not None and target.is_file() and target.stat().st_size == src.stat().st_size:
                on_bytes(target.stat().st_size)     # resumed; checked in the read-back below
                entries.append({"path": rel, "sha256": sha, "size": target.stat().st_size})
                continue
            try:
                got, size = copy_verified(src, target, sha, on_bytes)
            except StorageError:
                if sha is not None and not src.exists():   # removed from the store meanwhile
                    missing.append(sha)
                    continue
                raise
            entries.append({"path": rel, "sha256": got, "size": size})
            faults.hit("fullbackup.file")
        # read everything back from the stick: catches fake-capacity sticks and bad sectors
        for e in entries:
            current = f"正在回读校验 {e['path']}"
            target = partial / e["path"]
            with os_errors(target):
                got = sha256_file(target)
            if got != e["sha256"]:
                target.unlink(missing_ok=True)
                raise BackupFailed(f"回读校验失败：“{target}”与写入的内容不一致。U盘可能已损坏或是扩容盘，"
                                   "完整备份未完成，请换一个U盘重试。")
            on_bytes(e["size"])
        faults.hit("fullbackup.readback")
        manifest = {"format": FULL_FORMAT, "version": 1, "name": name,
                    "created": when.astimezone().isoformat(timespec="seconds"),
                    "app_version": __version__, "school": school,
                    "files": entries, "missing": sorted(set(missing))}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write_bytes(partial / README_NAME, _readme(name, school, len(entries), total))
        atomic_write_bytes(partial / MANIFEST, data)
        faults.hit("fullbackup.manifest")
        final = dest / name
        with os_errors(final):
            replace_with_retry(partial, final)
            fsync_dir(dest)
        faults.hit("fullbackup.rename")
        progress.report(work, work, "完整备份完成", force=True)
        described = tuple(f"{'；'.join(refs.get(s) or ['未被记录引用的文件'])}（{s[:12]}…）"
                          for s in sorted(set(missing)))
        return BackupResult(final, True, len(entries), total, described)
    finally:
        staging_db.unlink(missing_ok=True)
