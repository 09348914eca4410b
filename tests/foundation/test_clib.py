"""libc's functions are found without a subprocess: ctypes.util.find_library runs `ldconfig -p`,
a fork of the whole exporter in the middle of an export (and a process-tree memory sample then
counts the exporter twice)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.services import fileio, memory
from app.services.clib import libc_function


@pytest.fixture
def no_processes(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError(f"a process was started: {a[:1]}")
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr("os.popen", refuse)
    fileio._libc_syncfs.cache_clear()
    memory._malloc_trim.cache_clear()
    yield
    fileio._libc_syncfs.cache_clear()
    memory._malloc_trim.cache_clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="libc by name: Linux")
def test_syncfs_and_malloc_trim_are_found_without_starting_a_process(no_processes, tmp_path):
    assert fileio.can_sync_filesystem()
    sync = fileio.FileSystemSync(tmp_path)
    try:
        sync.sync()
    finally:
        sync.close()
    assert memory._malloc_trim() is not None
    memory.release_free_memory()


def test_a_missing_function_is_none_not_an_error(no_processes):
    import ctypes
    assert libc_function("no_such_function_in_any_libc", [], ctypes.c_int) is None
