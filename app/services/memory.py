"""Give memory freed after a large, short-lived step back to the operating system.

Python frees objects at once, but glibc's allocator on Linux keeps freed pages
for reuse, so a process that built a big temporary structure (the compliance
check of 1,000 teachers, the summary workbook, a parsed font) stays that large
while it copies gigabytes afterwards. `malloc_trim` hands those pages back.
Windows' heap already returns large free blocks; there this only collects.

The collection itself runs on the main thread only. The window turns automatic collection off
and collects on its UI thread (app/ui/main_thread_gc.py) because a collection on a worker thread
can free a cycle holding a Qt object under the UI thread's feet (a segfault); an export job
calling this from a worker would otherwise do exactly that. The command line and the forms
layout process run their work on the main thread, so they still collect.
"""

from __future__ import annotations

import ctypes
import gc
import threading
from functools import lru_cache

from app.services.clib import libc_function


@lru_cache(maxsize=1)
def _malloc_trim():
    return libc_function("malloc_trim", [ctypes.c_size_t], ctypes.c_int)   # None: not glibc (e.g. musl)


def release_free_memory() -> None:
    """Collect garbage (where this thread may), then return free heap pages to the OS."""
    if threading.current_thread() is threading.main_thread():
        gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
