"""Restoring a backup, and finishing a restore that was interrupted after its commit point.

`restore()` stages everything inside the data folder, backs up the current database,
then commits through a small journal file (restore-pending.json) that
`finish_pending_restore()` rolls forward, now or at the next start if the process
dies half way: a kill at any moment leaves either the old or the new state.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.dbfile import SQLITE_HEADER, connect_readonly
from app.errors import AppError
from app.paths import DataPaths
from app.services import faults, safejson
from app.services.backup.snapshot import WRITE_LOCK, BackupFailed, paths_of, snapshot
from app.services.backup.source import DB_NAME, BackupSource, open_backup_source
from app.services.backup.staging import check_database_file, copy_stream
from app.services.blobs import referenced_blobs
from app.services.fileio import atomic_write_bytes, copy_verified, describe_os_error, fsync_dir, os_errors, \
    remove_tree, replace_with_retry
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import BLOB_GLOB, blob_relpath, is_sha256

log = logging.getLogger(__name__)

JOURNAL = "restore-pending.json"


def finish_pending_restore(paths: DataPaths) -> bool:
    """Roll a committed restore forward (idempotent); True if there was one.

    Order matters: the old database's -wal/-shm are removed *before* the staged database
    replaces it, so SQLite can never replay an old WAL into the restored file.
    """
    journal = paths.root / JOURNAL
    if not journal.exists():
        return False
    try:
        spec = safejson.loads(journal.read_bytes(), what="恢复记录", max_bytes=1024 * 1024, max_depth=8)
        name = spec["staging"]
        if not re.fullmatch(r"restore-[0-9a-f]{12}", name):
            raise ValueError(name)
    except (ValueError, KeyError, OSError, TypeError, safejson.JsonRefused):
        log.error("unreadable restore journal %s; left in place", journal)
        raise AppError(f"上次恢复的记录文件“{journal}”已损坏，无法继续恢复。请联系技术支持，"
                       "不要删除数据文件夹。") from None
    staging = paths.tmp / name
    staged_db = staging / DB_NAME
    db = paths.database
    with os_errors(db):
        staged_store = staging / "store"         # evidence first: the old rows keep their files
        if staged_store.is_dir():
            touched = set()
            for f in sorted(p for p in staged_store.glob(BLOB_GLOB) if p.is_file()):
                live = paths.store / f.relative_to(staged_store)
                live.parent.mkdir(parents=True, exist_ok=True)
                replace_with_retry(f, live)      # same content (named by its hash): replacing is safe
                touched.add(live.parent)
                faults.hit("restore.evidence_move")
            for d in touched:
                fsync_dir(d)
        if staged_db.exists():
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            faults.hit("restore.before_swap")
            replace_with_retry(staged_db, db)
            fsync_dir(db.parent)
            faults.hit("restore.after_swap")
        staged_keys = staging / "keys"
        if staged_keys.is_dir():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            for f in sorted(p for p in staged_keys.rglob("*") if p.is_file()):
                rel = f.relative_to(staged_keys)
                live = paths.keys / rel
                live.parent.mkdir(parents=True, exist_ok=True)
                if rel.as_posix() == "school-key.json" and live.exists() and live.read_bytes() != f.read_bytes():
                    retired = paths.keys / "retired" / f"{stamp}-before-restore-{rel.name}"
                    retired.parent.mkdir(parents=True, exist_ok=True)
                    replace_with_retry(live, retired)
                replace_with_retry(f, live)
                faults.hit("restore.key")
            fsync_dir(paths.keys)
        journal.unlink()
        fsync_dir(paths.root)
    remove_tree(staging)
    log.info("restore committed from %s", spec.get("source"))
    return True


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kind: str
    backup_time: datetime | None
    school: str
    teachers: int
    before_backup: Path | None          # the state just before the restore (undo with it)
    set_aside: Path | None              # a damaged database copied aside, never overwritten
    evidence_copied: int
    missing: tuple[str, ...]            # records whose evidence file is neither here nor in the backup
    key_restored: bool
    warnings: tuple[str, ...] = ()
    key_unusable: bool = False          # the restored key is protected for another PC or account

    @property
    def message(self) -> str:
        when = f"{self.backup_time:%Y-%m-%d %H:%M}" if self.backup_time else "备份时"
        parts = [f"已从{self.kind}恢复到 {when} 的数据（{self.school or '未设置学校'}，{self.teachers} 位教师）。",
                 f"{when} 之后所做的更改不在此备份中，如有需要请重新录入。"]
        if self.before_backup:
            parts.append(f"恢复前的数据已备份为“{self.before_backup.name}”，如需撤销可从它恢复。")
        if self.set_aside:
            parts.append(f"已损坏的数据文件另存为“{self.set_aside}”，未被覆盖。")
        if self.evidence_copied:
            parts.append(f"复制了 {self.evidence_copied} 个证据文件。")
        if self.missing:
            parts.append(f"有 {len(self.missing)} 个证据文件在本机和备份中都找不到，可从其他完整备份找回。")
        return "".join(parts + list(self.warnings))

    @property
    def cli_hints(self) -> list[str]:
        """What to type next (the command line prints these after the message)."""
        out = ["从其他完整备份找回证据文件：tisheng fsck --from-backup 完整备份"] if self.missing else []
        if self.key_unusable:
            out.append("生成新密钥：tisheng key replace --yes")
        return out

    def to_dict(self) -> dict:
        return {"source": str(self.source), "kind": self.kind,
                "backup_time": self.backup_time.isoformat() if self.backup_time else None,
                "school": self.school, "teachers": self.teachers,
                "before_backup": str(self.before_backup) if self.before_backup else None,
                "set_aside": str(self.set_aside) if self.set_aside else None,
                "evidence_copied": self.evidence_copied, "missing": list(self.missing),
                "key_restored": self.key_restored, "warnings": list(self.warnings),
                "message": self.message}


def current_database_state(paths: DataPaths) -> str:
    """'none' (no data yet), 'ok', 'damaged' (fails quick_check or unreadable) or 'foreign'."""
    db = paths.database
    if not db.exists() or db.stat().st_size == 0:
        return "none"
    try:
        with open(db, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "damaged"
        con = connect_readonly(db)
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except (OSError, sqlite3.Error, UnicodeDecodeError):
        return "damaged"
    return "ok" if rows == ["ok"] else "damaged"


def set_aside_damaged(paths: DataPaths) -> Path:
    """Copy the current database (and its -wal/-shm) into <data>/damaged/; the original stays."""
    folder = paths.root / "damaged"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = folder / f"tisheng-damaged-{stamp}.sqlite3"
    n = 1
    while base.exists():
        n += 1
        base = folder / f"tisheng-damaged-{stamp}-{n}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(paths.database) + suffix)
        if src.exists():
            with os_errors(src):
                copy_verified(src, Path(str(base) + suffix))
    return base


def _audit_restore(db: Path, src: BackupSource, before: Path | None, set_aside: Path | None) -> None:
    """Record the restore inside the restored database itself, so it commits with it."""
    detail = {"source": str(src.origin), "kind": src.kind,
              "backup_time": src.created.isoformat(timespec="seconds") if src.created else None,
              "before_backup": before.name if before else None,
              "set_aside": str(set_aside) if set_aside else None}
    try:
        con = sqlite3.connect(db)
        try:
            con.execute("INSERT INTO auditentry (at, action, detail) VALUES (?, 'restore', ?)",
                        (datetime.now().isoformat(sep=" "), json.dumps(detail, ensure_ascii=False)))
            con.commit()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"准备恢复的数据写入失败（{exc}），未作任何更改。") from exc


def _has_school(database: Path) -> bool:
    """Whether the database holds a school (a fresh data folder on a new PC does not)."""
    try:
        con = connect_readonly(database)
        try:
            return con.execute("SELECT 1 FROM school LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        return True                        # unsure: keep the usual backup


def restore(target, source: str | os.PathLike, *, progress: Progress = NO_PROGRESS) -> RestoreResult:
    """Replace the data folder's database (and, from a full backup, evidence and key) by a backup.

    Backs up the current database first ("before-restore"); a damaged one is copied aside
    instead. Everything is staged and checked inside the data folder, then committed through
    a journal (see finish_pending_restore), so a kill at any moment leaves either
    the old or the new state. If `target` is an open Workspace it is closed; reopen it with
    startup.open_checked(). The caller must hold the instance lock (the GUI does).
    Raises BackupRejected / DatabaseTooNewError (nothing changed) or StorageError.
    """
    paths = paths_of(target).ensure()
    finish_pending_restore(paths)
    src = open_backup_source(source)
    staging = paths.tmp / f"restore-{uuid.uuid4().hex[:12]}"
    committed = False
    try:
        with os_errors(staging):
            staging.mkdir(parents=True)
        progress.report(0, 1, "正在读取备份…", force=True)
        incoming = staging / "incoming.sqlite3"
        with src.open(src.db) as fin:
            copy_stream(fin, incoming, src.db.sha256, src.db.size if src.kind != "data-folder" else None,
                        src.db.path)
        wal = src.extra_wal()
        if wal is not None:
            with open(wal, "rb") as fin:
                copy_stream(fin, Path(str(incoming) + "-wal"), None, None, wal.name)
        faults.hit("restore.staged")
        info = check_database_file(incoming, label=src.origin.name)
        staged_db = staging / DB_NAME
        with os_errors(staged_db):
            with open(incoming, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(incoming, staged_db)
        progress.check()

        before = set_aside = None
        state = current_database_state(paths)
        if state == "ok" and _has_school(paths.database):   # an empty new folder has nothing to keep
            try:
                before = snapshot(paths, "before-restore")
            except BackupFailed:
                state = "damaged"
        if state == "damaged":
            set_aside = set_aside_damaged(paths)
        faults.hit("restore.before_backup")
        _audit_restore(staged_db, src, before, set_aside)

        refs = referenced_blobs(staged_db)
        store = paths.store
        wanted = [e for e in src.entries if e.path.startswith("store/") and e.path.rsplit("/", 1)[1] in refs]
        total = sum(e.size or 0 for e in wanted) or 1
        done = 0

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            progress.report(min(done, total - 1), total, "正在恢复证据文件…")

        copied = 0
        staged_store = staging / "store"
        for e in wanted:                         # staged too: the live store changes only at commit
            sha = e.path.rsplit("/", 1)[1]
            dst = store / blob_relpath(sha)
            if dst.is_file() and (e.size is None or dst.stat().st_size == e.size):
                continue
            with src.open(e) as fin:
                copy_stream(fin, staged_store / blob_relpath(sha), sha, e.size, e.path, on_bytes)
            copied += 1
            faults.hit("restore.evidence")
        missing = []
        for sha, where in sorted(refs.items()):
            rel = blob_relpath(sha) if is_sha256(sha) else None      # a damaged value names no file
            if where and (rel is None or (not (store / rel).is_file() and not (staged_store / rel).is_file())):
                missing.extend(f"{w}（{sha[:12]}…）" for w in where)

        key_restored = key_unusable = False
        warnings = []
        for e in src.entries:
            if not e.path.startswith("keys/"):
                continue
            with src.open(e) as fin:
                copy_stream(fin, staging / e.path, e.sha256, e.size, e.path)
            live = paths.root / e.path
            if e.path == "keys/school-key.json":
                key_restored = not live.is_file() or live.read_bytes() != (staging / e.path).read_bytes()
                try:
                    doc = safejson.loads((staging / e.path).read_bytes(), what="备份中的学校密钥文件",
                                         max_bytes=1024 * 1024)
                    if doc.get("protection") == "dpapi-user":
                        warnings.append("备份中的学校签名密钥受 Windows 账户加密保护，在新电脑或新账户上无法使用；"
                                        "导出报送包前需要生成新密钥，并向区县登记新指纹。")
                        key_unusable = True
                except (ValueError, OSError, AttributeError, AppError):
                    warnings.append("备份中的学校密钥文件无法读取，恢复后请检查密钥。")
        faults.hit("restore.staged_all")
        progress.check()

        with WRITE_LOCK:                       # no automatic backup reads the file while it is swapped
            if hasattr(target, "close") and hasattr(target, "engine"):
                target.close()
            journal = {"staging": staging.name, "source": str(src.origin),
                       "created": datetime.now().isoformat(timespec="seconds")}
            atomic_write_bytes(paths.root / JOURNAL, json.dumps(journal, ensure_ascii=False).encode("utf-8"))
            committed = True
            faults.hit("restore.journal")
            try:
                finish_pending_restore(paths)
            except AppError as exc:
                raise BackupFailed(exc.user_message + "恢复已提交，排除问题后再次打开数据文件夹时会自动完成。") from exc
        progress.report(1, 1, "恢复完成", force=True)
        return RestoreResult(src.origin, src.label, src.created, info["school"], info["teachers"], before,
                             set_aside, copied, tuple(missing), key_restored, tuple(warnings), key_unusable)
    except OSError as exc:                       # a fault point or the stick pulled between steps
        raise BackupFailed(describe_os_error(exc, src.origin) + ("恢复已提交，下次启动时会自动完成。" if committed
                                                                 else "恢复未完成，数据没有任何更改。")) from exc
    finally:
        src.close()
        if not committed:
            remove_tree(staging)
