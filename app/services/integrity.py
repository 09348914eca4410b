"""Start-up checks, the restore journal, storage warnings and `fsck` for the evidence store.

Opening a data folder the careful way (`open_checked`):
  1. warn if the folder is on a network share (WAL does not work there) or a removable drive;
  2. take the single-instance lock (a second copy of the app gets AlreadyRunningError);
  3. finish a restore that was interrupted after its commit point (restore-pending.json);
  4. sweep leftovers of killed operations (backup temp files, store/incoming/*.part);
  5. refuse a database from a newer app version *before* anything could write to it;
  6. PRAGMA quick_check (integrity_check + foreign_key_check after an unclean shutdown or
     once a week); on failure raise DatabaseDamagedError naming the newest backup that passes
     integrity_check and the moment after which changes would be missing;
  7. Workspace.open (migrations are backed up first) and commit tracking for auto backups.

`fsck(ws)` checks that every evidence row's file exists and matches its SHA-256, lists
orphan store files (optionally removes them), and copies missing files back from a full
backup.

Public API: open_checked(data_dir, *, lock=True, drive_type=None) -> CheckedWorkspace
(.ws, .warnings, .tick(), .close()); recover_from_backup(data_dir, backup=None);
finish_pending_restore(paths); storage_warning(path, drive_type=None); fsck(ws, ...) -> FsckReport.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.errors import AppError, DatabaseTooNewError
from app.paths import DataPaths, data_paths
from app.services import backups, datafolder, dberrors, faults, safejson
from app.services.backups import JOURNAL, BackupInfo, BackupRejected, newest_good_backup
from app.services.fileio import atomic_write_bytes, fsync_dir, os_errors, remove_tree, replace_with_retry, sha256_file
from app.services.instance_lock import InstanceLock, acquire_instance_lock
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import is_sha256

log = logging.getLogger(__name__)

DRIVE_UNKNOWN, DRIVE_NO_ROOT_DIR, DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = range(7)
RUNNING_MARKER = ".running"
STATE_FILE = "state.json"            # in backups/: when the last full integrity check ran
FULL_CHECK_EVERY = timedelta(days=7)
STALE_AGE = 6 * 3600                 # tmp leftovers older than this are swept at start
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "afs", "ncpfs",
               "9p", "fuse.rclone", "davfs", "fuse.davfs2"}


class DatabaseDamagedError(AppError):
    """The database fails its integrity check; nothing was changed. Offer `candidate`."""

    exit_code = 5

    def __init__(self, db: Path, problem: str, candidate: BackupInfo | None) -> None:
        if candidate is not None:
            when = f"{candidate.created:%Y-%m-%d %H:%M}"
            offer = (f"最近一份完好的备份是 {when} 的{candidate.label}（{candidate.path.name}）。"
                     f"从它恢复后，{when} 之后所做的更改将会缺失，需要重新录入。"
                     "损坏的文件会另存到数据文件夹的 damaged 文件夹中，不会被覆盖或删除。"
                     "命令行可运行“tisheng restore --latest”。")
        else:
            offer = ("没有找到完好的自动备份。如有完整备份（U盘上的 tisheng-full-… 文件夹），"
                     "请运行“tisheng restore 该文件夹”；否则请联系技术支持，不要删除数据文件夹。")
        super().__init__(f"数据文件“{db}”已损坏（{problem}），为防止进一步损坏，本软件没有打开它，也没有作任何更改。"
                         + offer)
        self.db, self.problem, self.candidate = db, problem, candidate


# ------------------------------------------------------------------ storage kind

def _win_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes
    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def _posix_drive_type(path: str) -> int:
    """Network file systems from /proc/self/mounts (the longest matching mount point)."""
    best, fstype = "", ""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fstype = mnt, parts[2]
    except OSError:
        return DRIVE_UNKNOWN
    return DRIVE_REMOTE if fstype in _NETWORK_FS else DRIVE_FIXED


def drive_type(path: str | os.PathLike, getter: Callable[[str], int] | None = None) -> int:
    """GetDriveTypeW for the drive holding `path`; a UNC path (\\\\server\\share) is remote.

    `getter` receives the drive root ("C:\\\\") on Windows or the path elsewhere; tests inject it.
    """
    s = os.fspath(path)
    if s.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
        return DRIVE_REMOTE
    if s.startswith(("\\\\?\\", "\\\\.\\", "//?/", "//./")):
        s = s[4:]
    elif s.startswith(("\\\\", "//")):
        return DRIVE_REMOTE
    if re.match(r"^[A-Za-z]:", s):
        root = s[:2] + "\\"
    else:
        root = s
    if getter is None:
        getter = _win_drive_type if sys.platform == "win32" else _posix_drive_type
    try:
        return int(getter(root))
    except (OSError, AttributeError, ValueError):
        return DRIVE_UNKNOWN


def storage_warning(path: str | os.PathLike, drive_type_value: int | Callable[[str], int] | None = None
                    ) -> str | None:
    """A Chinese warning when the data folder is on a network share or a removable drive."""
    kind = drive_type_value if isinstance(drive_type_value, int) else drive_type(path, drive_type_value)
    if kind == DRIVE_REMOTE:
        return (f"数据文件夹“{path}”位于网络共享（网络驱动器）上。SQLite 数据库在网络共享上可能损坏，"
                "多台电脑同时打开更会造成数据丢失。请把数据文件夹移到本机硬盘（例如 C 盘或 D 盘），"
                "需要共享时用“完整备份”拷贝。")
    if kind == DRIVE_REMOVABLE:
        return (f"数据文件夹“{path}”位于U盘或移动硬盘上。拔出前务必先关闭本软件，否则数据可能损坏；"
                "建议把数据文件夹放在本机硬盘上，U盘只用于备份。")
    return None


# ------------------------------------------------------------------ restore journal

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
    staged_db = staging / backups.DB_NAME
    db = paths.database
    with os_errors(db):
        staged_store = staging / "store"         # evidence first: the old rows keep their files
        if staged_store.is_dir():
            touched = set()
            for f in sorted(p for p in staged_store.glob("??/??/*") if p.is_file()):
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


# ------------------------------------------------------------------ start-up

def _sweep(paths: DataPaths) -> None:
    backups.sweep_stale_backup_files(paths)
    cutoff = time.time() - STALE_AGE
    for folder, pattern in ((paths.store / "incoming", "*"), (paths.tmp, "*")):
        if not folder.is_dir():
            continue
        for p in folder.glob(pattern):
            try:
                if p.stat().st_mtime < cutoff:
                    remove_tree(p)
            except OSError:
                pass


def _read_state(paths: DataPaths) -> dict:
    try:
        state = safejson.loads((paths.backups / STATE_FILE).read_bytes(), what="检查记录",
                               max_bytes=1024 * 1024, max_depth=8)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError, safejson.JsonRefused):
        return {}


def _write_state(paths: DataPaths, state: dict) -> None:
    try:
        atomic_write_bytes(paths.backups / STATE_FILE, json.dumps(state).encode("utf-8"))
    except AppError as exc:
        log.warning("could not record the integrity check: %s", exc.user_message)


def check_database(db: Path, *, full: bool) -> str | None:
    """None if the database passes; otherwise a short description of the damage. Read-only.

    A database that is locked, in a read-only folder or on a full disk is not damaged: that raises
    dberrors.DatabaseUnavailableError with its own message instead."""
    try:
        with open(db, "rb") as fh:
            if fh.read(16) != backups.SQLITE_HEADER:
                return "文件不是 SQLite 数据库，可能被其他文件替换或严重损坏"
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=dberrors.BUSY_TIMEOUT_S)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
            if rows != ["ok"]:
                return backups.describe_check_rows(rows)
            if full and con.execute("PRAGMA foreign_key_check").fetchone() is not None:
                return "记录之间的引用不一致（外键检查未通过）"
            problem = schema_problem(con)
            if problem is not None:
                return problem
        finally:
            con.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError, OSError) as exc:   # damaged schema text may not be UTF-8
        trouble = dberrors.unavailable(exc, db)
        if trouble is not None:              # locked, read-only, disk full: not damage, nothing to restore
            raise trouble from None
        if isinstance(exc, OSError):
            from app.services.fileio import describe_os_error
            return describe_os_error(exc, db)
        return f"无法读取：{backups.describe_database_error(exc)}"
    return None


def schema_problem(con: sqlite3.Connection) -> str | None:
    """A database at this app's version must have every table and column the app uses.

    quick_check does not read the schema's meaning: one damaged byte in a CREATE statement can
    rename a column and still parse, and the first query then fails half-way through a command.
    Older versions are left to their migration steps."""
    import app.models  # noqa: F401 - registers every table on the metadata
    from sqlmodel import SQLModel

    from app.models.migrations import LATEST
    if con.execute("PRAGMA user_version").fetchone()[0] != LATEST:
        return None
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not have:
        return None                                  # a new, empty file: created on first open
    for name, table in sorted(SQLModel.metadata.tables.items()):
        if name not in have:
            return f"数据库结构与本软件不符：缺少数据表“{table.name}”（文件可能已损坏，或被其他软件改动过）"
        columns = {r[1] for r in con.execute(f'PRAGMA table_info("{table.name}")')}
        missing = [c.name for c in table.columns if c.name not in columns]
        if missing:
            return (f"数据库结构与本软件不符：数据表“{table.name}”缺少列“{missing[0]}”"
                    "（文件可能已损坏，或被其他软件改动过）")
    return None


def database_version(db: Path) -> int | None:
    """PRAGMA user_version without creating -wal/-shm files when there is no WAL to read."""
    wal = Path(str(db) + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        try:
            with open(db, "rb") as fh:
                header = fh.read(100)
        except OSError:
            return None
        if len(header) == 100 and header.startswith(backups.SQLITE_HEADER):
            return int.from_bytes(header[60:64], "big")
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(con.execute("PRAGMA user_version").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def refuse_if_too_new(db: Path) -> None:
    """Raise DatabaseTooNewError before anything opens the file for writing.

    Opening with the app's engine would already switch journal_mode to WAL, which rewrites
    the header of a rollback-journal database: the check has to come first, read-only."""
    if not db.exists() or db.stat().st_size == 0:
        return
    from app.models.migrations import LATEST
    version = database_version(db)
    if version is not None and version > LATEST:
        err = DatabaseTooNewError(found=version, supported=LATEST)
        err.user_message = (f"数据文件“{db}”由更新版本的本软件创建（数据版本 {version}，本软件支持到 {LATEST}）。"
                            "为避免损坏数据，本软件不会打开它，也没有作任何更改。请安装最新版本后再打开。")
        err.args = (err.user_message,)
        raise err


def refuse_if_damaged(data_dir: str | os.PathLike | None = None) -> None:
    """The command line's start-up check: before a command opens the database (and so writes
    to it), a quick read-only check. A damaged or too-new file is refused untouched, with the
    newest good backup offered, instead of failing half-way with an unexpected error."""
    paths = datafolder.prepare(data_dir)
    finish_pending_restore(paths)
    db = paths.database
    if not db.exists() or db.stat().st_size == 0:
        return
    refuse_if_too_new(db)
    problem = check_database(db, full=False)
    if problem is not None:
        raise DatabaseDamagedError(db, problem, newest_good_backup(paths))


@dataclass
class CheckedWorkspace:
    """A workspace opened with start-up checks. Call tick() every few minutes and close() on exit."""

    ws: object
    lock: InstanceLock | None
    warnings: list[str] = field(default_factory=list)
    unclean_shutdown: bool = False
    full_check: bool = False
    restored_pending: bool = False

    def tick(self, now: datetime | None = None) -> backups.BackupTask | None:
        """An automatic backup if something changed and the last one is 30+ minutes old."""
        return backups.maybe_auto_backup(self.ws, None, now=now)

    def close(self, changed: bool | None = None) -> Path | None:
        """Back up if anything changed (waits for it), then release the folder. Never raises."""
        path = None
        try:
            task = backups.maybe_auto_backup(self.ws, changed, closing=True, wait=True)
            path = task.wait() if task is not None else None
        except Exception as exc:  # noqa: BLE001 - closing must always release the lock
            log.error("backup on close failed: %s", getattr(exc, "user_message", exc))
        finally:
            self.ws.close()
            (self.ws.paths.root / RUNNING_MARKER).unlink(missing_ok=True)
            if self.lock is not None:
                self.lock.release()
        return path

    def __enter__(self) -> "CheckedWorkspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_checked(data_dir: str | os.PathLike | None = None, *, lock: bool = True,
                 drive_type: int | Callable[[str], int] | None = None,
                 now: datetime | None = None) -> CheckedWorkspace:
    """Open a data folder with every start-up check (see the module docstring).

    Raises AlreadyRunningError, DatabaseTooNewError (file untouched), DatabaseDamagedError
    (nothing changed; `.candidate` is the backup to offer), or StorageError.
    """
    from app.services.workspace import Workspace

    paths = data_paths(data_dir)
    warnings = []
    warning = storage_warning(paths.root, drive_type)
    if warning:
        warnings.append(warning)
    datafolder.prepare(paths)
    held = acquire_instance_lock(paths) if lock else None
    try:
        restored = finish_pending_restore(paths)
        _sweep(paths)
        marker = paths.root / RUNNING_MARKER
        unclean = marker.exists()
        db = paths.database
        full = False
        now = now or datetime.now()
        if db.exists() and db.stat().st_size > 0:
            refuse_if_too_new(db)
            state = _read_state(paths)
            try:
                last = datetime.fromisoformat(state.get("last_full_check", ""))
            except ValueError:
                last = None
            full = unclean or last is None or now - last >= FULL_CHECK_EVERY or restored
            problem = check_database(db, full=full)
            if problem is not None:
                raise DatabaseDamagedError(db, problem, newest_good_backup(paths))
            if full:
                state["last_full_check"] = now.isoformat(timespec="seconds")
                _write_state(paths, state)
        if unclean:
            warnings.append("上次本软件没有正常关闭（可能是断电或强制结束），已完成完整检查，数据完好。")
        ws = Workspace.open(paths.root)
        try:
            backups.track_changes(ws.engine)
            with os_errors(marker):
                atomic_write_bytes(marker, str(os.getpid()).encode("ascii"))
        except BaseException:
            ws.close()
            raise
        return CheckedWorkspace(ws, held, warnings, unclean, full, restored)
    except BaseException:
        if held is not None:
            held.release()
        raise


def recover_from_backup(data_dir: str | os.PathLike | None = None, backup: BackupInfo | Path | None = None,
                        *, lock: bool = True, progress: Progress = NO_PROGRESS) -> backups.RestoreResult:
    """After DatabaseDamagedError: restore `backup` (default: the newest good one). The damaged
    file is copied aside first. Then call open_checked() again."""
    paths = datafolder.prepare(data_dir)
    held = acquire_instance_lock(paths) if lock else None
    try:
        if backup is None:
            backup = newest_good_backup(paths)
            if backup is None:
                raise BackupRejected("没有找到完好的自动备份。如有完整备份（U盘上的 tisheng-full-… 文件夹），"
                                     "请用“tisheng restore 该文件夹”恢复。")
        source = backup.path if isinstance(backup, BackupInfo) else Path(backup)
        return backups.restore(paths, source, progress=progress)
    finally:
        if held is not None:
            held.release()


# ------------------------------------------------------------------ fsck

@dataclass(frozen=True)
class FileProblem:
    kind: str                      # "missing" | "corrupt" | "orphan" | "leftover"
    sha256: str
    size: int
    records: tuple[str, ...] = ()  # which records use it (Chinese descriptions)
    fixed: str = ""                # "restored" | "removed" | "set-aside" | ""
    path: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sha256": self.sha256, "size": self.size, "records": list(self.records),
                "fixed": self.fixed, "path": self.path}


@dataclass
class FsckReport:
    database_problem: str | None
    files_checked: int
    problems: list[FileProblem]
    hashes_checked: bool = True

    @property
    def unresolved(self) -> list[FileProblem]:
        return [p for p in self.problems if p.kind in ("missing", "corrupt") and p.fixed != "restored"]

    @property
    def orphans(self) -> list[FileProblem]:
        return [p for p in self.problems if p.kind in ("orphan", "leftover")]

    @property
    def ok(self) -> bool:
        return self.database_problem is None and not self.unresolved

    def lines(self) -> list[str]:
        out = [f"数据库：{'完好' if self.database_problem is None else self.database_problem}",
               f"检查了 {self.files_checked} 个证据文件" + ("（逐个核对校验值）" if self.hashes_checked else "（只检查是否存在）")]
        labels = {"missing": "缺失", "corrupt": "已损坏", "orphan": "无记录引用", "leftover": "中断操作的残留"}
        fixes = {"restored": "已从备份找回", "removed": "已删除", "set-aside": "已移到 store/damaged",
                 "": "未处理"}
        for p in self.problems:
            where = "；".join(p.records[:3]) + (f" 等 {len(p.records)} 处" if len(p.records) > 3 else "")
            out.append(f"  [{labels[p.kind]}] {p.sha256[:16]}…（{p.size} 字节）{('：' + where) if where else ''}"
                       f" —— {fixes.get(p.fixed, p.fixed)}")
        if self.ok and not self.orphans:
            out.append("一切正常：每个证据文件都在，且内容与记录一致。")
        elif self.unresolved:
            out.append(f"有 {len(self.unresolved)} 个证据文件缺失或损坏。如有完整备份，请运行"
                       "“tisheng fsck --from-backup 完整备份文件夹”找回；否则请重新添加这些文件。")
        if self.orphans and not all(p.fixed == "removed" for p in self.orphans):
            out.append(f"有 {len(self.orphans)} 个文件没有任何记录引用（不影响使用），"
                       "可用“tisheng fsck --remove-orphans”删除以释放空间。")
        return out

    def to_dict(self) -> dict:
        return {"ok": self.ok, "database_problem": self.database_problem, "files_checked": self.files_checked,
                "hashes_checked": self.hashes_checked, "problems": [p.to_dict() for p in self.problems],
                "unresolved": len(self.unresolved), "orphans": len(self.orphans)}


def fsck(ws, *, remove_orphans: bool = False, from_backup: str | os.PathLike | None = None,
         verify_hashes: bool = True, progress: Progress = NO_PROGRESS) -> FsckReport:
    """Check every evidence file (EvidenceFile, PlanDocument, ActivityFile -> Blob -> store file).

    Damaged files are moved to store/damaged/ (never deleted); missing ones are copied back
    from `from_backup` (a full backup folder/zip or a copied data folder) when it has them,
    each checked against its SHA-256. Orphans (store files no record uses, and leftovers of
    interrupted copies) are listed, and deleted only with remove_orphans. Run it on the
    serial database lane: it must not overlap an evidence add in the same process.
    """
    paths = ws.paths
    db_problem = check_database(paths.database, full=True)
    refs = backups.referenced_blobs(paths.database)
    used = {sha: where for sha, where in refs.items() if where}
    problems: list[FileProblem] = []
    store = paths.store
    total = sum(_size_of(ws, sha) for sha in used) or 1
    done = 0
    bad: dict[str, FileProblem] = {}
    for i, (sha, where) in enumerate(sorted(used.items())):
        size = _size_of(ws, sha)
        if not is_sha256(sha):           # a damaged value: no path is built from it (it could hold "../")
            bad[sha] = FileProblem("missing", sha, size, tuple(where) + ("（记录的校验值已损坏）",))
            done += size
            continue
        path = store / sha[:2] / sha[2:4] / sha
        if not path.is_file():
            bad[sha] = FileProblem("missing", sha, size, tuple(where))
        elif verify_hashes:
            with os_errors(path):
                actual = sha256_file(path, progress)
            if actual != sha:
                damaged = store / "damaged" / f"{sha}-{datetime.now():%Y%m%d-%H%M%S}"
                with os_errors(path):
                    damaged.parent.mkdir(parents=True, exist_ok=True)
                    replace_with_retry(path, damaged)
                bad[sha] = FileProblem("corrupt", sha, size, tuple(where), "set-aside", str(damaged))
        done += size
        progress.report(done, total, f"正在核对证据文件 {i + 1}/{len(used)}")
    if bad and from_backup is not None:
        with backups.open_backup_source(from_backup) as src:
            if src.kind == "database":
                raise BackupRejected("“--from-backup”需要完整备份（tisheng-full-… 文件夹或其压缩包），"
                                     "数据库备份里没有证据文件。")
            available = {e.path.rsplit("/", 1)[1]: e for e in src.entries if e.path.startswith("store/")}
            for sha, prob in list(bad.items()):
                entry = available.get(sha) if is_sha256(sha) else None
                if entry is None:
                    continue
                dst = store / sha[:2] / sha[2:4] / sha
                try:
                    with src.open(entry.path) as fin:
                        backups._copy_stream(fin, dst, sha, entry.size, entry.path, tmp_dir=store / "incoming")
                    fsync_dir(dst.parent)
                except BackupRejected as exc:
                    log.warning("backup copy of %s unusable: %s", sha, exc.user_message)
                    continue
                bad[sha] = FileProblem(prob.kind, sha, prob.size, prob.records, "restored", str(dst))
                faults.hit("fsck.restored")
    problems.extend(bad.values())
    # orphans: store files no record uses
    for sha in sorted(ws.store.all_hashes() - set(used)):
        path = store / sha[:2] / sha[2:4] / sha
        size = path.stat().st_size if path.exists() else 0
        fixed = ""
        if remove_orphans:
            fixed = _remove_orphan(ws, sha)
        problems.append(FileProblem("orphan", sha, size, (), fixed, str(path)))
    incoming = store / "incoming"
    if incoming.is_dir():
        for p in sorted(incoming.iterdir()):
            fixed = ""
            if remove_orphans:
                remove_tree(p)
                fixed = "removed"
            problems.append(FileProblem("leftover", "", _stat_size(p), (), fixed, str(p)))
    if remove_orphans:
        _drop_unused_blob_rows(ws)
    return FsckReport(db_problem, len(used), problems, verify_hashes)


def _stat_size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _size_of(ws, sha: str) -> int:
    from app.models import Blob
    with ws.sessions() as s:
        blob = s.get(Blob, sha)
        return blob.size if blob is not None else 0


def _remove_orphan(ws, sha: str) -> str:
    from app.services.evidence import blob_in_use
    with ws.sessions() as s:
        if blob_in_use(s, sha):          # a record appeared meanwhile: keep the file
            return ""
    ws.store.remove(sha)
    return "removed"


def _drop_unused_blob_rows(ws) -> None:
    from sqlmodel import select

    from app.models import Blob
    from app.services.evidence import blob_in_use
    with ws.sessions() as s:
        for blob in s.exec(select(Blob)).all():
            if not blob_in_use(s, blob.sha256) and not ws.store.has(blob.sha256):
                s.delete(blob)
        s.commit()
