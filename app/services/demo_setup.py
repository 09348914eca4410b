"""Build the demo school so that it can be cancelled and leave nothing behind.

`demo.create_demo` writes through many small service calls, each committing on
its own, so stopping it half way would leave half a school. Here it runs in a
scratch data folder (under the target's tmp/), with a cancellation point before
every database session; only a finished demo is moved into the target folder
(`install_demo`), with the target workspace closed. Cancelling simply deletes
the scratch folder: the target is untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from app.errors import RuleViolation, StorageError
from app.paths import DataPaths, data_paths
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


def build_demo(target: DataPaths, progress: Progress = NO_PROGRESS) -> Path:
    """Create the demo school in a scratch folder below `target`; returns that folder.

    Raises CancelledError (scratch folder removed) when `progress` is cancelled.
    """
    from app.services.demo import create_demo
    from app.services.workspace import Workspace

    scratch = target.tmp / f"demo-{uuid.uuid4().hex[:8]}"
    try:
        with Workspace.open(scratch) as ws:
            create_demo(_CancellableWorkspace(ws, progress))
        progress.check()
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    progress.report(_EXPECTED_SESSIONS, _EXPECTED_SESSIONS, "示例学校已建立", force=True)
    return scratch


def discard_demo(scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)


def install_demo(scratch: Path, target_root: Path) -> None:
    """Move a finished demo into `target_root`, replacing its (empty) database.

    The caller must have closed every workspace on `target_root` first.
    """
    target = data_paths(target_root).ensure()
    source = data_paths(scratch)
    from app.services.workspace import Workspace
    with Workspace.open(target.root) as ws:
        if ws.has_school():
            raise RuleViolation("此数据文件夹已有学校，不能再放入示例学校。")
    try:
        for suffix in ("-wal", "-shm"):
            Path(str(target.database) + suffix).unlink(missing_ok=True)
        os.replace(source.database, target.database)
        for blob in source.store.rglob("*"):
            if blob.is_file() and "incoming" not in blob.relative_to(source.store).parts:
                dest = target.store / blob.relative_to(source.store)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(blob, dest)
    except OSError as exc:
        log.exception("installing the demo school failed")
        raise StorageError(f"无法把示例学校放入数据文件夹“{target.root}”：{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
