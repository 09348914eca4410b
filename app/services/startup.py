"""Opening a data folder the careful way, and recovering one whose database is damaged.

`open_checked(data_dir)`:
  1. warn if the folder is on a network share (WAL does not work there) or a removable drive;
  2. take the single-instance lock (a second copy of the app gets AlreadyRunningError);
  3. finish a restore that was interrupted after its commit point (restore-pending.json);
  4. sweep leftovers of killed operations (backup temp files, store/incoming/*.part);
  5. refuse a database from a newer app version *before* anything could write to it;
  6. PRAGMA quick_check (integrity_check + foreign_key_check after an unclean shutdown or
     once a week); on failure raise DatabaseDamagedError naming the newest backup that passes
     integrity_check and the moment after which changes would be missing;
  7. Workspace.open (migrations are backed up first) and commit tracking for auto backups.

The command line runs `refuse_if_damaged` instead (no lock, no window); after
DatabaseDamagedError, `recover_from_backup` restores the newest good backup.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.errors import AppError
from app.paths import DataPaths, data_paths
from app.services import datafolder, safejson
from typing import TYPE_CHECKING

from app.services.backup.automatic import BackupTask, maybe_auto_backup, track_changes
from app.services.backup.retention import newest_good_backup, sweep_stale_backup_files
from app.services.backup.snapshot import BackupInfo
from app.services.dbcheck import check_database, refuse_if_too_new
from app.services.fileio import atomic_write_bytes, os_errors, remove_tree
from app.services.instance_lock import InstanceLock, acquire_instance_lock
from app.services.progress import NO_PROGRESS, Progress
from app.services.storage_kind import storage_warning
# finish_pending_restore imports the restore module (and with it the ORM) only when a restore is
# pending: the command line's start-up check loads no SQLAlchemy.
from app.services.workspace import Workspace, finish_pending_restore

if TYPE_CHECKING:
    from app.services.backup.restore import RestoreResult

log = logging.getLogger(__name__)

RUNNING_MARKER = ".running"
STATE_FILE = "state.json"            # in backups/: when the last full integrity check ran
FULL_CHECK_EVERY = timedelta(days=7)
STALE_AGE = 6 * 3600                 # tmp leftovers older than this are swept at start


class DatabaseDamagedError(AppError):
    """The database fails its integrity check; nothing was changed. Offer `candidate`."""

    exit_code = 5

    def __init__(self, db: Path, problem: str, candidate: BackupInfo | None) -> None:
        if candidate is not None:
            when = f"{candidate.created:%Y-%m-%d %H:%M}"
            offer = (f"最近一份完好的备份是 {when} 的{candidate.label}（{candidate.path.name}）。"
                     f"从它恢复后，{when} 之后所做的更改将会缺失，需要重新录入。"
                     "损坏的文件会另存到数据文件夹的 damaged 文件夹中，不会被覆盖或删除。")
            hint = "从这份备份恢复：tisheng restore --latest"
        else:
            offer = ("没有找到完好的自动备份。如有完整备份（U盘上的 tisheng-full-… 文件夹），请从它恢复；"
                     "否则请联系技术支持，不要删除数据文件夹。")
            hint = "从完整备份恢复：tisheng restore 完整备份文件夹"
        super().__init__(f"数据文件“{db}”已损坏（{problem}），为防止进一步损坏，本软件没有打开它，也没有作任何更改。"
                         + offer, cli_hint=hint)
        self.db, self.problem, self.candidate = db, problem, candidate


def _sweep(paths: DataPaths) -> None:
    sweep_stale_backup_files(paths)
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

    def tick(self, now: datetime | None = None) -> BackupTask | None:
        """An automatic backup if something changed and the last one is 30+ minutes old."""
        return maybe_auto_backup(self.ws, None, now=now)

    def close(self, changed: bool | None = None) -> Path | None:
        """Back up if anything changed (waits for it), then release the folder. Never raises."""
        path = None
        try:
            task = maybe_auto_backup(self.ws, changed, closing=True, wait=True)
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


def adopt(checked: CheckedWorkspace, ws) -> None:
    """A new Workspace on the folder `checked` holds (the demo installed, a restore reopened):
    it takes the old one's place, and its commits count towards the next automatic backup."""
    checked.ws = ws
    track_changes(ws.engine)


def open_checked(data_dir: str | os.PathLike | None = None, *, lock: bool = True,
                 drive_type: int | Callable[[str], int] | None = None,
                 now: datetime | None = None) -> CheckedWorkspace:
    """Open a data folder with every start-up check (see the module docstring).

    Raises AlreadyRunningError, DatabaseTooNewError (file untouched), DatabaseDamagedError
    (nothing changed; `.candidate` is the backup to offer), or StorageError.
    """
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
            track_changes(ws.engine)
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
                        *, lock: bool = True, progress: Progress = NO_PROGRESS) -> RestoreResult:
    """After DatabaseDamagedError: restore `backup` (default: the newest good one). The damaged
    file is copied aside first. Then call open_checked() again."""
    from app.services.backup.restore import restore
    from app.services.backup.source import BackupRejected
    paths = datafolder.prepare(data_dir)
    held = acquire_instance_lock(paths) if lock else None
    try:
        if backup is None:
            backup = newest_good_backup(paths)
            if backup is None:
                raise BackupRejected("没有找到完好的自动备份。如有完整备份（U盘上的 tisheng-full-… 文件夹），请从它恢复。",
                                     cli_hint="从完整备份恢复：tisheng restore 完整备份文件夹")
        source = backup.path if isinstance(backup, BackupInfo) else Path(backup)
        return restore(paths, source, progress=progress)
    finally:
        if held is not None:
            held.release()


