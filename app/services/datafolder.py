"""Making sure the data folder can be used before anything is opened in it.

`TISHENG_DATA_DIR` or `--data-dir` may name a file, a folder on a read-only stick or a full disk;
each gets its own Chinese message (a StorageError, exit code 2) instead of a traceback, and
none of them is called damage.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import StorageError
from app.paths import DataPaths, data_paths
from app.services import dberrors


def prepare(target: DataPaths | str | os.PathLike | None) -> DataPaths:
    """The data folder's paths with every sub-folder created; StorageError naming the problem."""
    paths = refuse_file(target)
    root = paths.root
    for folder in (root, paths.store, paths.backups, paths.logs, paths.keys, paths.tmp):
        if folder.exists() and not folder.is_dir():
            raise StorageError(f"数据文件夹中的“{folder.name}”应是一个文件夹，现在却是文件（{folder}）。"
                               "请把这个文件移走或改名后重试，数据文件不受影响。")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(exc, folder, paths.database) from exc
    return paths


def refuse_file(target: DataPaths | str | os.PathLike | None) -> DataPaths:
    """The paths, unless the data folder is really a file (checked without creating anything)."""
    paths = target if isinstance(target, DataPaths) else data_paths(target)
    if paths.root.exists() and not paths.root.is_dir():
        raise StorageError(f"数据文件夹“{paths.root}”实际上是一个文件，不是文件夹。请指定一个文件夹"
                           "（新的空文件夹也可以），不要指定文件。",
                           cli_hint="用 --data-dir 或环境变量 TISHENG_DATA_DIR 指定一个文件夹。")
    return paths


def _folder_error(exc: OSError, folder: Path, db: Path) -> StorageError:
    kind = dberrors.classify(exc)
    if kind in (dberrors.READONLY, dberrors.FULL):
        return StorageError(dberrors.message(kind, db))
    from app.services.fileio import describe_os_error
    return StorageError(describe_os_error(exc, folder, "建立数据文件夹"))
