"""Automatic backups (after changes, at most every 30 minutes, and on close) and the safety
backup before an import, export, migration or restore.

Follows Anki (rslib/src/collection/backup.rs): only after changes, at most every 30
minutes while the app runs and once more when it closes, written on a background
thread, then thinned (retention.py). Commits are counted per engine (track_changes),
so "changed since the last backup" needs no query.
"""

from __future__ import annotations

import logging
import threading
import weakref
from datetime import datetime, timedelta
from pathlib import Path

from app.paths import DataPaths
from app.services.backup.retention import list_backups, thin_backups
from app.services.backup.snapshot import paths_of, snapshot

log = logging.getLogger(__name__)

AUTO_INTERVAL = timedelta(minutes=30)


class _ChangeCounter:
    def __init__(self) -> None:
        self.commits = 0
        self.backed_up = 0


_counters: "weakref.WeakKeyDictionary[object, _ChangeCounter]" = weakref.WeakKeyDictionary()


def track_changes(engine) -> None:
    """Count commits on this engine, so maybe_auto_backup(changed=None) knows if anything changed."""
    if engine in _counters:
        return
    from sqlalchemy import event
    counter = _counters[engine] = _ChangeCounter()

    def _on_commit(_conn) -> None:
        counter.commits += 1

    event.listen(engine, "commit", _on_commit)


def _counter(target) -> _ChangeCounter | None:
    # A workspace whose engine is not made yet has counted no commits: asking for `engine` would
    # make it, loading SQLAlchemy into a command (the roster import) that works without it.
    if getattr(target, "engine_loaded", True) is False:
        return None
    engine = getattr(target, "engine", None)
    return _counters.get(engine) if engine is not None else None


def has_changes(ws) -> bool:
    """True if anything was committed since the last backup (True when not tracked)."""
    counter = _counter(ws)
    return counter is None or counter.commits != counter.backed_up


def reset_change_marker(target) -> int | None:
    """A backup was just taken: nothing is "changed" until the next commit."""
    counter = _counter(target)
    if counter is None:
        return None
    counter.backed_up = counter.commits
    return counter.commits


def backup_before(target, reason: str) -> Path | None:
    """A synchronous safety backup before an import, export, migration or restore.

    Returns None when there is nothing to back up yet (a brand-new data folder).
    Raises BackupFailed when the backup cannot be written: the caller should not
    go ahead with the operation then.
    """
    path = take_backup_before(target, reason)
    if path is not None:
        settle_backup(target)
    return path


def take_backup_before(target, reason: str) -> Path | None:
    """backup_before's copy alone, for a caller that takes it ahead of time and keeps it only if the
    operation goes ahead (settle_backup then) – deleting it otherwise, before anything is thinned."""
    paths = paths_of(target)
    if not paths.database.exists() or paths.database.stat().st_size == 0:
        return None
    return snapshot(paths, reason if reason.startswith("before-") else f"before-{reason}")


def settle_backup(target) -> None:
    """A backup was taken and kept: nothing counts as changed since, and the old ones are thinned."""
    reset_change_marker(target)
    try:
        thin_backups(paths_of(target))
    except OSError as exc:  # thinning is housekeeping; never fail the operation for it
        log.warning("could not thin backups: %s", exc)


class BackupTask:
    """A backup running on a background thread. wait() returns its file or raises its error."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.path: Path | None = None
        self.removed: list[Path] = []
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> Path | None:
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.path


def _newest_backup_time(paths: DataPaths) -> datetime | None:
    found = list_backups(paths)
    return found[0].created if found else None


def maybe_auto_backup(ws, changed: bool | None = None, *, closing: bool = False, wait: bool = False,
                      now: datetime | None = None) -> BackupTask | None:
    """Call every few minutes while the app runs (closing=False) and once on close (closing=True).

    Backs up only if something changed (changed=None: detected from the commits seen since the
    last backup), and while running at most once per 30 minutes. The copy is written on a
    background (non-daemon) thread, so closing the window never loses it; `wait=True` or
    `task.wait()` blocks until it is on disk. Returns None when no backup was needed.
    """
    paths = paths_of(ws)
    if changed is None:
        changed = has_changes(ws)
    if not changed or not paths.database.exists():
        return None
    now = now or datetime.now()
    if not closing:
        newest = _newest_backup_time(paths)
        if newest is not None and timedelta(0) <= now - newest < AUTO_INTERVAL:
            return None
    marker = reset_change_marker(ws)
    task = BackupTask()
    reason = "close" if closing else "auto"

    def run() -> None:
        try:
            task.path = snapshot(paths, reason)
            task.removed = thin_backups(paths, now)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            task.error = exc
            counter = _counter(ws)
            if counter is not None and marker is not None and counter.backed_up == marker:
                counter.backed_up = -1          # failed: the next call tries again
            log.error("automatic backup failed: %s", getattr(exc, "user_message", exc))
        finally:
            task._done.set()

    if wait:
        run()
    else:
        threading.Thread(target=run, name="tisheng-auto-backup", daemon=False).start()
    return task
