"""Ordinary trouble around a data folder, made real for a test: a database held by another
process, a read-only folder, a small disk (issue 19 items 6–8).

`held_lock` runs a second process that holds SQLite's write lock; `read_only(folder)` makes a
folder read-only with chmod (ordinary users) or a read-only bind mount (root, where chmod does not
bind); `small_disk(size)` mounts a tmpfs of that size. The last two yield None when this machine
cannot do it (no privileges), and the tests using them skip.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
if sys.argv[2] == "exclusive":          # the whole file, readers too (another program's own mode)
    con.execute("PRAGMA locking_mode=EXCLUSIVE")
con.execute("BEGIN EXCLUSIVE" if sys.argv[2] == "exclusive" else "BEGIN IMMEDIATE")
con.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("held", flush=True)
time.sleep(float(sys.argv[3]))
con.execute("ROLLBACK")
"""


@contextlib.contextmanager
def held_lock(db: Path, seconds: float, mode: str = "write"):
    """Another process holds the database's write lock (mode "write") or the whole file
    ("exclusive") for `seconds`, or until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), mode, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def run_cli(*argv, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command line in a child process (its own stdout/stderr, its own environment)."""
    full_env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    full_env.pop("TISHENG_FAULT", None)
    full_env.update(env or {})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "app", *map(str, argv)], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    done.seconds = time.monotonic() - started
    return done


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@contextlib.contextmanager
def read_only(folder: Path):
    """The folder (and everything under it) read-only for the duration; None if impossible."""
    folder = Path(folder)
    if os.name == "posix" and os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p, m in modes.items():
            p.chmod(m & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield folder
        finally:
            for p, m in modes.items():
                p.chmod(m)
        return
    if _can_mount() and subprocess.run(["mount", "--bind", str(folder), str(folder)]).returncode == 0:
        try:
            if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)]).returncode == 0:
                yield folder
            else:
                yield None
        finally:
            subprocess.run(["umount", str(folder)])
        return
    yield None


@contextlib.contextmanager
def small_disk(base: Path, size: str):
    """A folder on a tmpfs of `size` (e.g. "3m"); None if this machine cannot mount one."""
    mount = Path(base) / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir(parents=True)
    if not _can_mount() or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                           str(mount)]).returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)])


def grow_disk(mount: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)
