"""Build the demo school all or nothing: cancelled, killed or on a full disk it leaves nothing.

`demo.create_demo` writes through many small service calls, each committing on
its own, so stopping it half way would leave half a school (40 teachers and no
evidence, and a second `demo` refused because a school exists). Here it runs in a
scratch data folder (under the target's tmp/), with a cancellation point before
every database session; only a finished demo is transferred into the target
folder: its evidence files first (named by their hash, so an extra one is only an
orphan), then the whole database in one step through SQLite's backup API, which
commits into the target database atomically or not at all. Cancelling or failing
deletes the scratch folder: the target's records are untouched.

`install_demo` serves the window (target workspace closed), `create_demo_in` the
command line (target workspace open).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from app.errors import RuleViolation, StorageError
from app.paths import DataPaths, data_paths
from app.services.cli_hints import OTHER_FOLDER_HINT
from app.services.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

# create_demo opens about this many sessions (measured: 1,151 for 40 teachers);
# the progress bar only needs to be roughly right.
_EXPECTED_SESSIONS = 1150


class _CancellableWorkspace:
    """A Workspace stand-in that checks for cancellation before every session."""

    def __init__(self, ws, progress: Progress) -> None:
        self._ws, self._progress, self._opened = ws, progress, 0

    def __getattr__(self, name):
        return getattr(self._ws, name)

    def sessions(self):
        self._opened += 1
        done = min(self._opened, _EXPECTED_SESSIONS - 1)
        self._progress.report(done, _EXPECTED_SESSIONS, "正在建立示例学校（教师、团队、学时、证据与考核）…")
        return self._ws.sessions()

    def session(self):
        return self.sessions()


def build_demo(target: DataPaths, progress: Progress = NO_PROGRESS, **options) -> Path:
    """Create the demo school in a scratch folder below `target`; returns that folder.

    Raises CancelledError (scratch folder removed) when `progress` is cancelled.
    """
    return _build(target, progress, **options)[0]


def _build(target: DataPaths, progress: Progress, **options) -> tuple[Path, dict]:
    from app.services.demo import create_demo
    from app.services.workspace import Workspace

    from app.services import dberrors
    scratch = target.tmp / f"demo-{uuid.uuid4().hex[:8]}"
    try:
        with Workspace.open(scratch) as ws:
            info = create_demo(_CancellableWorkspace(ws, progress), **options)
        progress.check()
    except BaseException as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        kind = getattr(exc, "kind", None) or (dberrors.classify(exc) if isinstance(exc, Exception) else None)
        if kind in (dberrors.BUSY, dberrors.READONLY, dberrors.FULL):   # say it of the user's folder
            raise dberrors.DatabaseUnavailableError(kind, dberrors.message(kind, target.database)) from exc
        raise
    progress.report(_EXPECTED_SESSIONS, _EXPECTED_SESSIONS, "示例学校已建立", force=True)
    return scratch, info


def create_demo_in(ws, progress: Progress = NO_PROGRESS, **options) -> dict:
    """The command line's `demo`: build in a scratch folder, then transfer into the open
    workspace's folder all at once. Returns create_demo's summary."""
    if ws.has_school():
        raise RuleViolation("此数据文件夹已有学校，不能再建立示例学校。请换一个空的数据文件夹。", cli_hint=OTHER_FOLDER_HINT)
    scratch, info = _build(ws.paths, progress, **options)
    try:
        _transfer(data_paths(scratch), ws.paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return info


def discard_demo(scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)


def install_demo(scratch: Path, target_root: Path) -> None:
    """Move a finished demo into `target_root`, replacing its (empty) database.

    The caller must have closed every workspace on `target_root` first.
    """
    from app.services.datafolder import prepare
    target = prepare(target_root)
    source = data_paths(scratch)
    from app.services.workspace import Workspace
    with Workspace.open(target.root) as ws:
        if ws.has_school():
            raise RuleViolation("此数据文件夹已有学校，不能再放入示例学校。")
    try:
        _transfer(source, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _transfer(source: DataPaths, target: DataPaths) -> None:
    """Evidence files, then the database in one atomic step; on failure the target database is
    unchanged and the evidence files this call added are removed again."""
    import sqlite3

    from app.dbfile import BUSY_TIMEOUT_S
    from app.services import dberrors, faults
    from app.services.fileio import copy_verified, fsync_dir
    from app.services.store import BLOB_GLOB
    added: list[Path] = []
    try:
        for blob in sorted(source.store.glob(BLOB_GLOB)):
            dest = target.store / blob.relative_to(source.store)
            if blob.is_file() and not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                added.append(dest)
                copy_verified(blob, dest, blob.name)
                fsync_dir(dest.parent)
        faults.hit("demo.evidence_copied")
        src = sqlite3.connect(source.database)
        try:
            dst = sqlite3.connect(target.database, timeout=BUSY_TIMEOUT_S)
            try:
                src.backup(dst)              # one step: the target gets all of it or none
            finally:
                dst.close()
        finally:
            src.close()
        faults.hit("demo.installed")
    except BaseException as exc:
        for dest in added:
            dest.unlink(missing_ok=True)
        trouble = dberrors.unavailable(exc, target.database) if isinstance(exc, Exception) else None
        if trouble is not None:
            raise trouble from exc
        if isinstance(exc, OSError):
            log.exception("installing the demo school failed")
            raise StorageError(f"无法把示例学校放入数据文件夹“{target.root}”：{exc.strerror or exc}。"
                               "数据文件夹没有改变。") from exc
        raise
