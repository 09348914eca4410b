"""The C library's own functions (Linux), found without starting a process.

ctypes.util.find_library("c") runs `ldconfig -p` in a subprocess on Linux: a fork of
the calling process, which in the middle of an export is ~140 MB (a process-tree memory
sample then counts it twice) for a name that is always libc.so.6 with glibc. The
library already loaded into the process is asked directly instead.
"""

from __future__ import annotations

import ctypes
import sys


def libc_function(name: str, argtypes: list, restype, use_errno: bool = False):
    """libc's `name` with its types set, or None (not Linux, or a C library without it)."""
    if not sys.platform.startswith("linux"):
        return None
    for soname in ("libc.so.6", None):           # glibc by its soname, else whatever is loaded (musl)
        try:
            fn = getattr(ctypes.CDLL(soname, use_errno=use_errno), name)
        except (OSError, AttributeError):
            continue
        fn.argtypes = argtypes
        fn.restype = restype
        return fn
    return None
